package webui

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// downloadName is Locust's name for a download:
// Locust_<YYYY-MM-DD-HHhMM>_<locustfile>_<host>_<suffix>, the time being
// the local start of the stats. Characters that have no place in a file
// name or a header (the host's "://", say) become "_".
func (s *Server) downloadName(suffix string) string {
	parts := []string{"Locust", s.cfg.Session.Snapshot().Start.Format("2006-01-02-15h04"), s.locustfile()}
	if h := s.shownHost(); h != "" {
		parts = append(parts, h)
	}
	if suffix != "" {
		parts = append(parts, suffix)
	}
	return safeFileName(strings.Join(parts, "_"))
}

// safeFileName keeps letters, digits, '.', '-' and '_', and turns every
// other character into '_'.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// sendCSV answers a CSV download written from the stats as they stand.
func (s *Server) sendCSV(c *fiber.Ctx, suffix string, write func(io.Writer, *stats.Snapshot) error) error {
	var buf bytes.Buffer
	if err := write(&buf, s.cfg.Session.Snapshot()); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv")
	c.Set(fiber.HeaderContentDisposition, "attachment;filename="+s.downloadName(suffix)+".csv")
	return c.Send(buf.Bytes())
}

func (s *Server) requestsCSV(c *fiber.Ctx) error {
	return s.sendCSV(c, "requests", output.WriteStatsCSV)
}

func (s *Server) failuresCSV(c *fiber.Ctx) error {
	return s.sendCSV(c, "failures", output.WriteFailuresCSV)
}

func (s *Server) exceptionsCSV(c *fiber.Ctx) error {
	return s.sendCSV(c, "exceptions", output.WriteExceptionsCSV)
}

func (s *Server) llmCSV(c *fiber.Ctx) error {
	ps := s.cfg.Session.Percentiles()
	return s.sendCSV(c, "llm", func(w io.Writer, snap *stats.Snapshot) error { return output.WriteLLMStatsCSVWith(w, snap, ps) })
}

// fullHistoryCSV streams the --csv stats history file, which only
// --csv-full-history fills with every entry's rows.
func (s *Server) fullHistoryCSV(c *fiber.Ctx) error {
	if !s.cfg.FullHistory || s.cfg.CSVPrefix == "" {
		return c.Status(fiber.StatusNotFound).SendString("Error: Server was not started with option to generate full history.")
	}
	return s.sendFile(c, s.cfg.CSVPrefix+"_stats_history.csv", "requests_full_history")
}

// llmHistoryCSV streams the --csv LLM history file: a row of the LLM
// total each second, and with --csv-full-history one per LLM endpoint.
// Without --csv no history is kept to send.
func (s *Server) llmHistoryCSV(c *fiber.Ctx) error {
	if s.cfg.CSVPrefix == "" {
		return c.Status(fiber.StatusNotFound).SendString("Error: Server was not started with --csv, which keeps the LLM stats history.")
	}
	return s.sendFile(c, s.cfg.CSVPrefix+"_llm_stats_history.csv", "llm_history")
}

// sendFile streams one of the --csv files as a download. The history
// files only grow, so the size taken at the start is a whole number of
// rows already written.
func (s *Server) sendFile(c *fiber.Ctx, path, suffix string) error {
	f, err := os.Open(path)
	if err != nil {
		return c.Status(fiber.StatusNotFound).SendString("Error: the stats history file cannot be read.")
	}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return fmt.Errorf("reading %s: %w", path, err)
	}
	c.Set(fiber.HeaderContentType, "text/csv")
	c.Set(fiber.HeaderContentDisposition, "attachment;filename="+s.downloadName(suffix)+".csv")
	// fasthttp closes the file once it has been sent.
	return c.SendStream(s.maskedFile(f, info.Size()), -1)
}

// csvLinks are the downloads the Download Data tab lists beside Locust's
// own (templateArgs' extended_csv_files): the LLM table always, its
// history when --csv keeps one. Relative, as every URL of the page.
func (s *Server) csvLinks() []map[string]string {
	links := []map[string]string{{"href": "./stats/llm/csv", "title": "Download LLM stats CSV"}}
	if s.cfg.CSVPrefix != "" {
		links = append(links, map[string]string{"href": "./stats/llm/history/csv", "title": "Download LLM stats history CSV"})
	}
	return links
}
