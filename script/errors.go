package script

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Error is a mistake in a scenario, found before any load is sent. It
// names the file and, where there is one, the line.
type Error struct {
	File string
	Line int // 0 when the mistake has no single line
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

func errorf(file string, line int, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Runtime errors start with "f:line: ".
var runtimeAt = regexp.MustCompile(`^(.*?):(\d+): (?s)(.*)`)

// runtimeError turns an error raised while running the scenario's top
// level into an Error with its line.
func runtimeError(file string, err error) *Error {
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	msg := luaMessage(err)
	if m := runtimeAt.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[2])
		return errorf(m[1], line, "%s", m[3])
	}
	return errorf(file, 0, "%s", msg)
}

// luaMessage is the message of a Lua error without its traceback.
func luaMessage(err error) string {
	var ae *lua.ApiError
	if errors.As(err, &ae) && ae.Object != nil {
		if se, ok := declError(ae.Object); ok {
			return se.Error()
		}
		return ae.Object.String()
	}
	msg := err.Error()
	if i := strings.Index(msg, "\nstack traceback:"); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

// traceback is the Lua stack of an error, if it has one.
func traceback(err error) string {
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		return ae.StackTrace
	}
	return ""
}

// declError unwraps a scenario Error raised from Go inside the VM.
func declError(v lua.LValue) (*Error, bool) {
	ud, ok := v.(*lua.LUserData)
	if !ok {
		return nil, false
	}
	se, ok := ud.Value.(*Error)
	return se, ok
}

// raise stops the running script with a scenario Error at the caller's line.
func raise(L *lua.LState, file string, format string, args ...any) {
	ud := L.NewUserData()
	ud.Value = errorf(file, callerLine(L), format, args...)
	L.Error(ud, 0)
}

// callerLine is the line of the Lua code that called the running Go function.
func callerLine(L *lua.LState) int {
	for level := 1; level < 8; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			break
		}
		if _, err := L.GetInfo("l", dbg, lua.LNil); err == nil && dbg.CurrentLine > 0 {
			return dbg.CurrentLine
		}
	}
	return 0
}
