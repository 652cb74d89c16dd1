-- Multi-turn conversations: each user plays the human side of a ShareGPT
-- conversation, sending the history so far with every turn and feeding the
-- server's own replies back, as a chat application does.
--
--   llmlocust -f scenarios/multi_turn_chat.lua -H mock --headless -u 20 -r 5 -t 1m

local dataset = require("dataset")

locust.options {
  model      = { default = "mock-model", help = "model name sent in each request" },
  max_tokens = { default = 64, help = "output tokens to ask for per turn" },
  dataset    = { default = "data/sharegpt_sample.json", help = "ShareGPT JSON file of conversations" },
  max_turns  = { default = 4, help = "human turns per conversation at most" },
  think_time = { default = 1.0, help = "seconds a user waits between turns" },
  api_key    = { env = "OPENAI_API_KEY", secret = true, help = "API key (also read from OPENAI_API_KEY)" },
}

local conversations = dataset.sharegpt(locust.option("dataset"))

ConversationUser = locust.user {
  wait_time = locust.between(0, 1),
  llm = { api = "openai", model = locust.option("model"), api_key = locust.option("api_key") },
}

local time = require("time")

ConversationUser:task(function(self)
  local convo = conversations:next()
  local history = {}
  local turns = 0
  for _, msg in ipairs(convo.turns) do
    if msg.role == "system" then
      table.insert(history, msg)
    elseif msg.role == "user" then
      if turns >= locust.option("max_turns") then break end
      turns = turns + 1
      table.insert(history, msg)
      local r = self.llm:chat {
        name = "chat turn " .. math.min(turns, 4),
        messages = history,
        max_tokens = locust.option("max_tokens"),
      }
      if not r.ok then return end
      -- The server's own answer goes into the history, not the dataset's.
      table.insert(history, { role = "assistant", content = r.text })
      time.sleep(locust.option("think_time"))
    end
  end
end)
