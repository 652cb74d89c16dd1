-- The scenario of the web server's tests: streamed chats against the
-- simulator, a request that always fails and a task that always raises,
-- so that every table of the UI has rows.

locust.options {
  model       = { default = "mock-model", help = "model name" },
  max_tokens  = { default = 6, help = "output tokens per answer" },
  temperature = { default = 0.5, help = "sampling temperature" },
  verbose     = { default = false, help = "log every answer" },
  api         = { default = "openai-chat", choices = { "openai-chat", "openai-completions" }, help = "wire format" },
  api_key     = { env = "WEBUI_TEST_API_KEY", secret = true, help = "API key" },
}

ChatUser = locust.user {
  wait_time = locust.constant(0.05),
  llm = { api = locust.option("api"), model = locust.option("model"), api_key = locust.option("api_key") },
}

ChatUser:task { weight = 8, name = "ask", function(self)
  self.llm:chat {
    name = "chat",
    messages = { { role = "user", content = "Say hi." } },
    max_tokens = locust.option("max_tokens"),
  }
end }

ChatUser:task { weight = 1, name = "lost", function(self)
  self.client:get("/no/such/path", { name = "missing" })
end }

ChatUser:task { weight = 1, name = "raise", function(self)
  error("a task that always fails")
end }
