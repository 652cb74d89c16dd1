package script

import (
	"bytes"
	"fmt"
	"math"

	lua "github.com/yuin/gopher-lua"

	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/lualib"
)

// exitCodeKey is where test_stop listeners put the code the process is
// to exit with, as Locust's environment.process_exit_code.
const exitCodeKey = "process_exit_code"

// environment is the table test_stop listeners get, as Locust's listeners
// get its Environment: the test's summary under "summary", with the JSON
// summary's keys and values (null timings are nil), and no exit code yet.
// The caller holds p.mu.
func (p *Plan) environment(summary *output.Summary) (*lua.LTable, error) {
	env := p.L.CreateTable(0, 2)
	if summary == nil {
		return env, nil
	}
	var b bytes.Buffer
	if err := summary.Encode(&b); err != nil {
		return nil, err
	}
	v, err := lualib.DecodeJSON(p.L, b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("the summary for Lua: %w", err)
	}
	env.RawSetString("summary", v)
	return env, nil
}

// exitCodeOf is the exit code the listeners set in env, nil when none;
// a value that is no exit code is reported and ignored.
func exitCodeOf(env *lua.LTable, report func(msg, traceback string)) *int {
	v := env.RawGetString(exitCodeKey)
	if v == lua.LNil {
		return nil
	}
	n, ok := v.(lua.LNumber)
	if !ok || float64(n) != math.Trunc(float64(n)) || n < 0 || n > 255 {
		report(fmt.Sprintf("test_stop: environment.%s must be a whole number from 0 to 255, got %s", exitCodeKey, describe(v)), "")
		return nil
	}
	code := int(n)
	return &code
}
