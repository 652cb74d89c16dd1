-- Prefix caching (KV-cache reuse): prompts fall into groups that share a
-- long common prefix (a system prompt, a document) and differ only in a
-- short suffix. A server with prefix caching answers the later prompts of
-- a group with a much lower TTFT; compare runs with it on and off.
--
--   llmlocust -f scenarios/shared_prefix.lua -H mock --headless -u 32 -r 8 -t 2m

local dataset = require("dataset")

locust.options {
  model         = { default = "mock-model", help = "model name sent in each request" },
  groups        = { default = 8, help = "number of distinct shared prefixes" },
  prefix_tokens = { default = 1024, help = "tokens of each shared prefix" },
  suffix_tokens = { default = 32, help = "tokens of each prompt after its prefix" },
  max_tokens    = { default = 64, help = "output tokens to ask for" },
  api_key       = { env = "OPENAI_API_KEY", secret = true, help = "API key (also read from OPENAI_API_KEY)" },
}

local prompts = dataset.shared_prefix {
  groups = locust.option("groups"),
  rows_per_group = 16,
  prefix_tokens = locust.option("prefix_tokens"),
  suffix_tokens = locust.option("suffix_tokens"),
  output_tokens = locust.option("max_tokens"),
  seed = 1,
}

PrefixUser = locust.user {
  wait_time = locust.constant(0),
  llm = { api = "openai", model = locust.option("model"), api_key = locust.option("api_key") },
}

PrefixUser:task(function(self)
  local row = prompts:next()
  self.llm:complete {
    name = "group " .. row.group,
    prompt = row.prompt,
    max_tokens = row.max_tokens,
  }
end)
