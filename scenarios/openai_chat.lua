-- Streams chat completions from an OpenAI-compatible server (vLLM, SGLang,
-- TGI, llama.cpp, Ollama, hosted APIs) and measures TTFT, inter-token
-- latency, TPOT and tokens/s as the chunks arrive.
--
--   llmlocust -f scenarios/openai_chat.lua -H mock --headless -u 50 -r 10 -t 1m
--   llmlocust -f scenarios/openai_chat.lua -H http://localhost:8000 --model meta-llama/Llama-3.1-8B-Instruct \
--       --tokenizer path/to/tokenizer.json --headless -u 100 -r 20 -t 5m --csv vllm
--
-- Without --dataset, prompts are synthetic with exactly --prompt-tokens
-- tokens under --tokenizer; with --dataset, they come from a JSONL file
-- with a "prompt" field per line.

local dataset = require("dataset")

locust.options {
  model         = { default = "mock-model", help = "model name sent in each request" },
  max_tokens    = { default = 128, help = "output tokens to ask for" },
  api           = { default = "openai-chat", help = "wire format of the server",
                    choices = { "openai-chat", "openai-completions", "anthropic", "tgi", "ollama" } },
  include_usage = { default = true, help = "ask the server to report token usage at the end of each stream" },
  prompt_tokens = { default = 256, help = "input tokens of each synthetic prompt (when no --dataset is given)" },
  dataset       = { default = "", help = "JSONL file of prompts (a \"prompt\" field per line); synthetic prompts when empty" },
  api_key       = { env = "OPENAI_API_KEY", secret = true, help = "API key (also read from OPENAI_API_KEY)" },
}

local prompts
if locust.option("dataset") ~= "" then
  prompts = dataset.jsonl(locust.option("dataset"))
else
  prompts = dataset.synthetic {
    count = 200, seed = 1,
    input_tokens = locust.option("prompt_tokens"),
    output_tokens = locust.option("max_tokens"),
  }
end

-- The APIs that take a prompt rather than messages.
local takes_prompt = { ["openai-completions"] = true, tgi = true }

ChatUser = locust.user {
  wait_time = locust.constant(0),
  llm = {
    api = locust.option("api"),
    model = locust.option("model"),
    api_key = locust.option("api_key"),
    include_usage = locust.option("include_usage"),
  },
}

ChatUser:task { name = "chat", function(self)
  local row = prompts:next()
  if takes_prompt[locust.option("api")] then
    self.llm:complete { name = "completion", prompt = row.prompt, max_tokens = locust.option("max_tokens") }
  else
    self.llm:chat {
      name = "chat",
      messages = { { role = "user", content = row.prompt } },
      max_tokens = locust.option("max_tokens"),
    }
  end
end }
