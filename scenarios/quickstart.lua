-- Chat completions against an OpenAI-compatible server, as plain HTTP
-- requests: each user asks a question, checks the answer and waits a little.
--
--   llmlocust -f scenarios/quickstart.lua -H mock --headless -u 20 -r 5 -t 30s
--
-- Point -H at your own server (http://localhost:8000 for vLLM) to measure it.

local json = require("json")
local random = require("random")

locust.options {
  model      = { default = "mock-model", help = "model name sent in each request" },
  max_tokens = { default = 64, help = "output tokens to ask for" },
  api_key    = { env = "OPENAI_API_KEY", secret = true, help = "bearer token, if the server needs one" },
}

local questions = {
  "What is a load test?",
  "Explain time to first token in one sentence.",
  "Name three things that slow down LLM inference.",
  "Why do batch sizes matter for GPU serving?",
}

local function headers()
  local key = locust.option("api_key")
  if key ~= "" then
    return { Authorization = "Bearer " .. key }
  end
  return {}
end

ChatUser = locust.user {
  wait_time = locust.between(0.5, 1.5),
}

function ChatUser:on_start()
  local r = self.client:get("/v1/models", { headers = headers() })
  if not r.ok then
    print("cannot list models: " .. (r.error or r.status))
  end
end

ChatUser:task(1, function(self)
  local r = self.client:post("/v1/chat/completions", {
    name = "chat",
    headers = headers(),
    json = {
      model = locust.option("model"),
      max_tokens = locust.option("max_tokens"),
      messages = { { role = "user", content = random.choice(questions) } },
    },
    catch_response = true,
  })
  if not r.ok then return end
  local body = r:json()
  local choice = body.choices and body.choices[1]
  if not (choice and choice.message and choice.message.content ~= "") then
    r:failure("no answer in the response")
  end
end)
