package api

// Recorded streams, shaped after what real servers send (see each comment).
// The table tests decode them, the fuzzers start from them and the
// benchmarks time them.

// OpenAI chat with stream_options.include_usage: a role-only first chunk,
// "usage":null on every chunk, the finish chunk, then the usage chunk with
// "choices":[] and [DONE].
const openAIChatUsage = `data: {"id":"chatcmpl-9x","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"k2"}

data: {"id":"chatcmpl-9x","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"ab"}

data: {"id":"chatcmpl-9x","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":", wörld"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-9x","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":" 🙂"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-9x","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}

data: {"id":"chatcmpl-9x","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini","system_fingerprint":"fp_1","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}

data: [DONE]

`

// vLLM without include_usage: no usage key at all, finish_reason in the
// same chunk as the last content, and a keep-alive comment.
const vllmChatNoUsage = `data: {"id":"chatcmpl-a1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}

: keep-alive

data: {"id":"chatcmpl-a1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"The answer"},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-a1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":" is 42."},"logprobs":null,"finish_reason":"length","stop_reason":null}]}

data: [DONE]

`

// Current vLLM with a reasoning parser: delta.reasoning, then content, and
// usage with reasoning tokens.
const vllmChatReasoning = `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"qwen3","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}

data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"qwen3","choices":[{"index":0,"delta":{"reasoning":"Let me think"},"logprobs":null,"finish_reason":null}]}

data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"qwen3","choices":[{"index":0,"delta":{"reasoning":" briefly."},"logprobs":null,"finish_reason":null}]}

data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"qwen3","choices":[{"index":0,"delta":{"content":"Yes."},"logprobs":null,"finish_reason":"stop"}]}

data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"qwen3","choices":[],"usage":{"prompt_tokens":20,"total_tokens":30,"completion_tokens":10,"completion_tokens_details":{"reasoning_tokens":7}}}

data: [DONE]

`

// llama.cpp: reasoning_content, a role chunk with "content":null, CRLF
// line endings as some proxies rewrite them.
const llamaCppChatReasoningCRLF = "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null}}],\"created\":1,\"id\":\"x\",\"model\":\"m\",\"object\":\"chat.completion.chunk\"}\r\n\r\n" +
	"data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"reasoning_content\":\"Hmm.\"}}],\"object\":\"chat.completion.chunk\"}\r\n\r\n" +
	"data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"content\":\"Sure\"}}],\"object\":\"chat.completion.chunk\"}\r\n\r\n" +
	"data: {\"choices\":[{\"finish_reason\":\"stop\",\"index\":0,\"delta\":{}}],\"object\":\"chat.completion.chunk\",\"usage\":{\"completion_tokens\":3,\"prompt_tokens\":5,\"total_tokens\":8},\"timings\":{\"prompt_n\":5,\"predicted_n\":3}}\r\n\r\n" +
	"data: [DONE]\r\n\r\n"

// vLLM reporting an error after the 200 status, then [DONE].
const vllmChatError = `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}

data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Par"},"logprobs":null,"finish_reason":null}]}

data: {"error": {"object": "error", "message": "The engine died unexpectedly.", "type": "InternalServerError", "param": null, "code": 500}}

data: [DONE]

`

// Ollama's OpenAI layer: no role-only chunk, zeros in usage on every
// chunk and the real numbers only in the last one.
const ollamaOpenAIChat = `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"tiny","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}],"usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"tiny","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":" there"},"finish_reason":null}],"usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"tiny","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"stop"}],"usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"tiny","system_fingerprint":"fp_ollama","choices":[],"usage":{"prompt_tokens":26,"completion_tokens":2,"total_tokens":28}}

data: [DONE]

`

// Tool calls: the arguments arrive as partial JSON.
const openAIChatToolCalls = `data: {"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}

data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"finish_reason":null}]}

data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Oslo\"}"}}]},"finish_reason":null}]}

data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

data: [DONE]

`

// n=2: vLLM interleaves the choices, one per chunk.
const openAIChatTwoChoices = `data: {"choices":[{"index":0,"delta":{"content":"A"},"finish_reason":null}]}

data: {"choices":[{"index":1,"delta":{"content":"B"},"finish_reason":null}]}

data: {"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}]}

data: {"choices":[{"index":1,"delta":{"content":"b"},"finish_reason":"stop"}]}

data: [DONE]

`

// OpenAI completions as vLLM sends them: a finish chunk with "text":"",
// the usage chunk with "choices":[], then [DONE].
const openAICompletionsUsage = `data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"index":0,"text":" Once","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}

data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"index":0,"text":" upon","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}

data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"index":0,"text":"","logprobs":null,"finish_reason":"length","stop_reason":null}],"usage":null}

data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":3,"total_tokens":5,"completion_tokens":2}}

data: [DONE]

`

// Completions without usage, ended by the server closing the connection
// right after the last event's data line, without the blank line.
const openAICompletionsTruncated = "data: {\"choices\":[{\"index\":0,\"text\":\"ab\",\"finish_reason\":null}]}\n\n" +
	"data: {\"choices\":[{\"index\":0,\"text\":\"cd\",\"finish_reason\":\"length\"}]}\n"

// Anthropic Messages with a thinking block, then a text block, a ping,
// cumulative output tokens in message_delta.
const anthropicThinking = `event: message_start
data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Consider it."}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3h"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hello"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":" there"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}

event: message_stop
data: {"type":"message_stop"}

`

// Anthropic overloaded after the 200 status.
const anthropicError = `event: message_start
data: {"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","content":[],"usage":{"input_tokens":10,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Par"}}

event: error
data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}

`

// The llm-d simulator's Anthropic stream: no "text" in content_block_start,
// and type only in the event name for some events; plus a tool_use block.
const anthropicSimTool = `event: message_start
data: {"message":{"usage":{"input_tokens":7,"output_tokens":0}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t1","name":"f","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"q\":"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"1}"}}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":6}}

event: message_stop
data: {}

`

// TGI /generate_stream: "data:" without a space, one token per event, a
// special end-of-sequence token, and the last event with generated_text
// and details.
const tgiStream = `data:{"index":1,"token":{"id":89554,"text":" Deep","logprob":-0.97,"special":false},"generated_text":null,"details":null}

data:{"index":2,"token":{"id":6975,"text":" learning","logprob":-0.12,"special":false},"generated_text":null,"details":null}

data:{"index":3,"token":{"id":374,"text":" is","logprob":-0.3,"special":false},"generated_text":null,"details":null}

data:{"index":4,"token":{"id":2,"text":"</s>","logprob":-0.01,"special":true},"generated_text":" Deep learning is","details":{"finish_reason":"eos_token","generated_tokens":4,"seed":null,"input_length":6}}

`

// TGI without details requested: the last event has generated_text only.
const tgiNoDetails = `data:{"index":1,"token":{"id":1,"text":"Hi","logprob":-0.1,"special":false},"generated_text":null,"details":null}

data:{"index":2,"token":{"id":2,"text":"!","logprob":-0.1,"special":false},"generated_text":"Hi!","details":null}

`

// TGI failing during generation.
const tgiError = `data:{"index":1,"token":{"id":1,"text":"Hi","logprob":-0.1,"special":false},"generated_text":null,"details":null}

data:{"error":"Request failed during generation: Server error: CUDA out of memory","error_type":"generation"}

`

// Ollama /api/generate with thinking, ending without a final newline.
const ollamaGenerate = `{"model":"tiny","created_at":"2025-01-01T00:00:00Z","response":"","thinking":"Hmm","done":false}
{"model":"tiny","created_at":"2025-01-01T00:00:00Z","response":"The","done":false}
{"model":"tiny","created_at":"2025-01-01T00:00:00Z","response":" sky","done":false}
{"model":"tiny","created_at":"2025-01-01T00:00:00Z","response":"","done":true,"done_reason":"length","context":[1,2,3],"total_duration":294248168,"load_duration":285315086,"prompt_eval_count":25,"prompt_eval_duration":2038546,"eval_count":3,"eval_duration":4867817}`

// Ollama /api/chat with CRLF lines and a cached prompt (no
// prompt_eval_count).
const ollamaChat = "{\"model\":\"tiny\",\"message\":{\"role\":\"assistant\",\"content\":\"Bon\"},\"done\":false}\r\n" +
	"{\"model\":\"tiny\",\"message\":{\"role\":\"assistant\",\"content\":\"jour\"},\"done\":false}\r\n" +
	"{\"model\":\"tiny\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\",\"eval_count\":2}\r\n"

// Ollama failing mid-stream.
const ollamaError = `{"model":"tiny","response":"a","done":false}
{"error":"an error was encountered while running the model: unexpected EOF"}
`

// llama.cpp's native /completion stream, read through a generic spec.
const llamaCppNative = `data: {"index":0,"content":"Hel","tokens":[1],"stop":false,"id_slot":0}

data: {"index":0,"content":"lo","tokens":[2],"stop":false,"id_slot":0}

data: {"index":0,"content":"","tokens":[],"stop":true,"stop_type":"limit","timings":{"prompt_n":4,"prompt_ms":1.2,"predicted_n":2,"predicted_ms":3.4}}

`

// recorded lists the recorded streams with their API, for fuzz seeds.
var recorded = []struct {
	api  string
	body string
}{
	{"openai-chat", openAIChatUsage},
	{"openai-chat", vllmChatNoUsage},
	{"openai-chat", vllmChatReasoning},
	{"openai-chat", llamaCppChatReasoningCRLF},
	{"openai-chat", vllmChatError},
	{"openai-chat", ollamaOpenAIChat},
	{"openai-chat", openAIChatToolCalls},
	{"openai-chat", openAIChatTwoChoices},
	{"openai-completions", openAICompletionsUsage},
	{"openai-completions", openAICompletionsTruncated},
	{"anthropic", anthropicThinking},
	{"anthropic", anthropicError},
	{"anthropic", anthropicSimTool},
	{"tgi", tgiStream},
	{"tgi", tgiNoDetails},
	{"tgi", tgiError},
	{"ollama", ollamaGenerate},
	{"ollama", ollamaChat},
	{"ollama", ollamaError},
}
