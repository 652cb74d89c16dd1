locust.options { max_tokens = 8 }
Chat = locust.user { wait_time = locust.constant(0.05), llm = { api = "openai", model = "m" } }
Chat:task(function(self)
  self.llm:chat { messages = { { role = "user", content = "hi" } }, max_tokens = locust.option("max_tokens") }
end)
