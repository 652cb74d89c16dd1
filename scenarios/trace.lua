-- Replays a request trace (Mooncake's JSONL format: timestamp in ms,
-- input_length, output_length, hash_ids) at the times it gives: each
-- request is sent when it falls due, whatever the server's latency, and
-- prompts that share hash ids share their text, so a prefix cache sees the
-- reuse the trace recorded. -u caps the requests in flight.
--
--   llmlocust -f scenarios/trace.lua -H mock --trace scenarios/data/trace_sample.jsonl \
--       --trace-speed 2 --headless -u 100 -s 30
--
-- The test ends once the last request of the trace has been answered.

locust.options {
  model   = { default = "mock-model", help = "model name sent in each request" },
  api_key = { env = "OPENAI_API_KEY", secret = true, help = "API key (also read from OPENAI_API_KEY)" },
}

TraceUser = locust.user {
  llm = { api = "openai-chat", model = locust.option("model"), api_key = locust.option("api_key") },
}

-- self.arrival is the trace's row: prompt, input_tokens, max_tokens
-- (the trace's output_length), hash_ids, timestamp_ms.
TraceUser:task { name = "trace", function(self)
  local row = self.arrival
  if row == nil or row.prompt == nil then
    error("this scenario replays a trace: run it with --trace FILE.jsonl")
  end
  self.llm:chat {
    name = "trace",
    messages = { { role = "user", content = row.prompt } },
    max_tokens = row.max_tokens,
  }
end }
