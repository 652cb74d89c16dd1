package api

import (
	"fmt"
	"sort"
	"strings"
)

// The tables below are explicit rather than filled at init, so that the
// full list reads here. A new API family is one file and one line in
// each table.

// families are the API families llm calls name, in the order messages
// list them.
var families = []family{openAI, anthropic, tgi, ollama}

// formats maps each built-in wire format's name to it.
var formats = map[string]Format{
	openAIChatFormat.Name:        openAIChatFormat,
	openAICompletionsFormat.Name: openAICompletionsFormat,
	anthropicFormat.Name:         anthropicFormat,
	tgiFormat.Name:               tgiFormat,
	ollamaFormat.Name:            ollamaFormat,
}

// familyOf finds the family of an API name.
func familyOf(api string) (family, error) {
	var known []string
	for _, f := range families {
		if api == f.name || (f.prefix && strings.HasPrefix(api, f.name)) {
			return f, nil
		}
		known = append(known, f.shown)
	}
	list := strings.Join(known[:len(known)-1], ", ") + " or " + known[len(known)-1]
	return family{}, fmt.Errorf("unknown api %q: use %s; or self.llm:stream{} for anything else", api, list)
}

// Names lists the built-in wire format names in sorted order.
func Names() []string {
	names := make([]string, 0, len(formats))
	for name := range formats {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Lookup returns a built-in wire format by name: "openai-chat",
// "openai-completions", "anthropic", "tgi" or "ollama" (which covers both
// /api/generate and /api/chat).
func Lookup(name string) (Format, error) {
	if f, ok := formats[name]; ok {
		return f, nil
	}
	return Format{}, fmt.Errorf("unknown api %q (known: %s)", name, strings.Join(Names(), ", "))
}
