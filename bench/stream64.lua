-- The scenario of the benchmark's end-to-end runs: every user streams chat
-- answers back to back, asking for usage at the end of each stream, as
-- the baseline client does with the same request.
--
--   llmlocust -f bench/stream64.lua -H http://127.0.0.1:8000 --headless -u 100 -r 100 -t 20s

locust.options {
  max_tokens = { default = 64, help = "output tokens of each answer" },
}

StreamUser = locust.user {
  wait_time = locust.constant(0),
  llm = { api = "openai-chat", model = "mock-model", include_usage = true },
}

StreamUser:task { name = "chat", function(self)
  self.llm:chat {
    name = "chat",
    messages = { { role = "user", content = "Tell me a story." } },
    max_tokens = locust.option("max_tokens"),
  }
end }
