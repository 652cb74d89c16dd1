package webui

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/run"
)

// csvLinksOf are the extra downloads that a page's templateArgs list,
// href to title.
func csvLinksOf(t *testing.T, f *fixture) map[string]string {
	t.Helper()
	links := map[string]string{}
	for _, l := range at(t, pageArgs(t, f.get(t, "/").body), "extended_csv_files").([]any) {
		links[at(t, l, "href").(string)] = at(t, l, "title").(string)
	}
	return links
}

// TestLLMDownloadsListed: the Download Data tab lists the LLM table and,
// with --csv, its history; each link answers a CSV download.
func TestLLMDownloadsListed(t *testing.T) {
	t.Run("without --csv", func(t *testing.T) {
		f := setup(t, nil)
		links := csvLinksOf(t, f)
		if len(links) != 1 || links["./stats/llm/csv"] == "" {
			t.Errorf("extended_csv_files %v, want the LLM stats CSV alone", links)
		}
		r := f.get(t, "/stats/llm/history/csv")
		if r.status != 404 || !strings.Contains(string(r.body), "--csv") {
			t.Errorf("LLM history without --csv answered %d %q", r.status, r.body)
		}
	})

	t.Run("with --csv", func(t *testing.T) {
		prefix := filepath.Join(t.TempDir(), "run")
		f := setupSession(t,
			func(c *run.Config) { c.CSVPrefix = prefix },
			func(c *Config) { c.CSVPrefix = prefix })
		links := csvLinksOf(t, f)
		if links["./stats/llm/csv"] == "" || !strings.Contains(links["./stats/llm/history/csv"], "history") {
			t.Fatalf("extended_csv_files %v", links)
		}
		f.startTest(t, url.Values{"user_count": {"2"}, "spawn_rate": {"10"}})
		var body string
		waitFor(t, "a history row of the LLM total", 20*time.Second, func() bool {
			r := f.get(t, "/stats/llm/history/csv")
			body = string(r.body)
			return r.status == 200 && strings.Contains(body, ",Aggregated,")
		})
		if !strings.HasPrefix(body, "Timestamp,User Count,Type,Name,Output Tokens/s,TTFT 50%") {
			t.Errorf("LLM history starts %.80q", body)
		}
		for href := range links {
			r := f.get(t, "/"+strings.TrimPrefix(href, "./"))
			name := "_web.lua_mock_llm.csv"
			if strings.Contains(href, "history") {
				name = "_web.lua_mock_llm_history.csv"
			}
			if ct, d := r.header.Get("Content-Type"), r.header.Get("Content-Disposition"); r.status != 200 || ct != "text/csv" || !strings.HasSuffix(d, name) {
				t.Errorf("%s answered %d, Content-Type %q, Content-Disposition %q", href, r.status, ct, d)
			}
		}
	})
}
