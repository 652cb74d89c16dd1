-- A tour of the Locust features a scenario can use: user classes with
-- weights and fixed counts, weighted and tagged tasks, a sequence, on_start
-- and on_stop, catch_response, options and events.
--
--   llmlocust -f scenarios/locust_features.lua -H mock --headless -u 12 -r 6 -t 20s
--   llmlocust -f scenarios/locust_features.lua -H mock --headless -u 12 -T chat -t 20s

local json = require("json")

locust.options {
  model      = { default = "mock-model", help = "model name" },
  max_tokens = { default = 32, help = "output tokens per answer" },
}

locust.events.test_start:add_listener(function()
  print("test starting with model " .. locust.option("model"))
end)

locust.events.test_stop:add_listener(function()
  print("test stopped")
end)

local function ask(self, name, content)
  return self.client:post("/v1/chat/completions", {
    name = name,
    json = {
      model = locust.option("model"),
      max_tokens = locust.option("max_tokens"),
      messages = { { role = "user", content = content } },
    },
  })
end

-- Three chat users for every completion user.
ChatUser = locust.user { weight = 3, wait_time = locust.between(0.2, 0.8) }

function ChatUser:on_start()
  self.turns = 0
end

function ChatUser:on_stop()
  print(string.format("chat user %d asked %d questions", self.id, self.turns))
end

ChatUser:task { weight = 3, name = "short_question", tags = { "chat" }, function(self)
  if ask(self, "chat", "Say hello.").ok then self.turns = self.turns + 1 end
end }

-- A conversation: three turns in order, each sending the history so far.
ChatUser:task { weight = 1, tags = { "chat", "multi_turn" }, locust.sequence {
  name = "conversation",
  function(self) self.history = { { role = "user", content = "Pick a number." } } end,
  function(self)
    local r = self.client:post("/v1/chat/completions", {
      name = "chat (multi-turn)",
      json = { model = locust.option("model"), max_tokens = 16, messages = self.history },
    })
    if not r.ok then return self:interrupt() end
    table.insert(self.history, r:json().choices[1].message)
    table.insert(self.history, { role = "user", content = "Double it." })
  end,
  function(self)
    ask(self, "chat (multi-turn)", self.history[#self.history].content)
  end,
} }

CompletionUser = locust.user { weight = 1, wait_time = locust.constant_throughput(2) }

CompletionUser:task { tags = { "completions" }, function(self)
  local r = self.client:post("/v1/completions", {
    name = "completion",
    json = { model = locust.option("model"), prompt = "Once upon a time", max_tokens = 16 },
    catch_response = true,
  })
  if r.ok and r:json().choices[1].text == "" then
    r:failure("empty completion")
  end
end }

-- Exactly one user watches the model list, whatever the user count.
Watcher = locust.user { fixed_count = 1, wait_time = locust.constant(1) }

Watcher:task { tags = { "meta" }, function(self)
  self.client:get("/v1/models", { name = "models" })
end }
