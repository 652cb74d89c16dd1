package run

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/llmlocust/llmlocust/engine/api"
	"github.com/llmlocust/llmlocust/engine/arrival"
	"github.com/llmlocust/llmlocust/engine/metrics"
	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/runner"
	"github.com/llmlocust/llmlocust/engine/stream"
)

// chatPlan is a scenario written in Go: users of one class that stream
// chat completions back to back, as testdata/chat.lua would in Lua.
type chatPlan struct {
	host string // the class's own host
	wait time.Duration
}

func (p *chatPlan) Hosts() []string                                { return []string{p.host} }
func (p *chatPlan) SecretOptions() map[string]any                  { return map[string]any{} }
func (p *chatPlan) Shape(func(msg, traceback string)) runner.Shape { return nil }
func (p *chatPlan) FireTestStart(func(msg, traceback string))      {}
func (p *chatPlan) FireTestStop(func(msg, traceback string), *output.Summary) *int {
	return nil
}
func (p *chatPlan) UserClasses(b *Binding) ([]runner.UserClass, error) {
	host := b.Host
	if host == "" {
		host = p.host
	}
	if host == SimulatorHost {
		host = b.MockURL
	}
	switch {
	case host == "":
		return nil, errors.New("no host: give -H")
	case !strings.HasPrefix(host, "http://") && !strings.HasPrefix(host, "https://"):
		return nil, errors.New("the host needs a scheme")
	}
	format, err := api.Lookup("openai-chat")
	if err != nil {
		return nil, err
	}
	return []runner.UserClass{&chatClass{plan: p, b: b, url: host + "/v1/chat/completions", format: format}}, nil
}

type chatClass struct {
	plan   *chatPlan
	b      *Binding
	url    string
	format api.Format
}

func (c *chatClass) Name() string    { return "Chat" }
func (c *chatClass) Weight() int     { return 1 }
func (c *chatClass) FixedCount() int { return 0 }
func (c *chatClass) NewUser(_ int, arrivals *arrival.Schedule) (runner.User, error) {
	return &chatUser{class: c, client: stream.NewClient(), arrivals: arrivals}, nil
}

// chatUser sends back to back or, open loop, one request per arrival.
type chatUser struct {
	class    *chatClass
	client   *stream.Client
	arrivals *arrival.Schedule
}

const chatBody = `{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":8,"stream":true,"stream_options":{"include_usage":true}}`

func (u *chatUser) Run(ctx context.Context, stop <-chan struct{}) error {
	defer u.client.CloseIdle()
	if u.arrivals != nil {
		leave := u.arrivals.Join()
		defer leave()
		for {
			a, ok := u.arrivals.Next(ctx, stop)
			if !ok {
				return nil
			}
			u.chat(ctx, a.Due)
		}
	}
	for {
		select {
		case <-stop:
			return nil
		case <-ctx.Done():
			return nil
		default:
		}
		u.chat(ctx, time.Time{})
		select {
		case <-stop:
			return nil
		case <-ctx.Done():
			return nil
		case <-time.After(u.class.plan.wait):
		}
	}
}

func (u *chatUser) chat(ctx context.Context, due time.Time) {
	d := u.class.b.Daemon
	r := &metrics.Stream{Name: "chat", Method: http.MethodPost, Format: u.class.format, Due: due}
	d.Begin(r)
	req := stream.Request{Method: http.MethodPost, URL: u.class.url, Body: []byte(chatBody),
		Header: [][2]string{{"Content-Type", "application/json"}}}
	res := u.client.Stream(ctx, req, stream.Timeouts{}, r)
	end := metrics.End{At: res.End, Status: res.Status, Headers: res.Headers, Cancelled: res.Cancelled, Bytes: res.Bytes}
	if res.Err != nil {
		end.Err = stream.Describe(res.Err)
	}
	r.Finish(end)
	r.Wait(ctx)
}
