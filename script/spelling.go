package script

import (
	"reflect"
	"strings"

	"github.com/yuin/gopher-lua/ast"
)

// Lua 5.1 numbers are all floats: at run time 1.0 and 1 are the same
// value, so the kind of a number default cannot be read from the value.
// The source still says what the author meant, so before the scenario runs
// its syntax tree is searched for how each option's default is written:
// think_time = 1.0 is a float option, max_tokens = 128 an int one.

// spelling is how the number defaults given under one name are written.
type spelling int

const (
	spelledNone spelling = iota
	spelledInt
	spelledFloat
	spelledBoth // written both ways in different places: no clue
)

func (s spelling) and(t spelling) spelling {
	if s == spelledNone || s == t {
		return t
	}
	return spelledBoth
}

// numberSpellings maps option names to whether their number default is
// written as a float. Tables passed straight to locust.options are read
// first; a name found there only is read from any other table field
// (such as a table of options built before the call).
func numberSpellings(chunk []ast.Stmt) map[string]bool {
	direct, elsewhere := map[string]spelling{}, map[string]spelling{}
	optionTables := map[*ast.TableExpr]bool{}
	walkAST(reflect.ValueOf(chunk), func(node any) {
		switch n := node.(type) {
		case *ast.FuncCallExpr:
			if isLocustOptions(n.Func) && len(n.Args) == 1 {
				if t, ok := n.Args[0].(*ast.TableExpr); ok {
					optionTables[t] = true
				}
			}
		case *ast.TableExpr:
			into := elsewhere
			if optionTables[n] {
				into = direct
			}
			for _, f := range n.Fields {
				if key, ok := f.Key.(*ast.StringExpr); ok {
					if s := defaultSpelling(f.Value); s != spelledNone {
						into[key.Value] = into[key.Value].and(s)
					}
				}
			}
		}
	})
	out := map[string]bool{}
	for _, m := range []map[string]spelling{elsewhere, direct} {
		for name, s := range m {
			if s != spelledBoth {
				out[name] = s == spelledFloat
			} else {
				delete(out, name)
			}
		}
	}
	return out
}

// isLocustOptions matches locust.options, the function that declares
// options.
func isLocustOptions(e ast.Expr) bool {
	get, ok := e.(*ast.AttrGetExpr)
	if !ok {
		return false
	}
	obj, okObj := get.Object.(*ast.IdentExpr)
	key, okKey := get.Key.(*ast.StringExpr)
	return okObj && okKey && obj.Value == "locust" && key.Value == "options"
}

// defaultSpelling reads a bare number default or the default field of an
// option's table.
func defaultSpelling(e ast.Expr) spelling {
	if t, ok := e.(*ast.TableExpr); ok {
		for _, f := range t.Fields {
			if key, ok := f.Key.(*ast.StringExpr); ok && key.Value == "default" {
				return numberSpelling(f.Value)
			}
		}
		return spelledNone
	}
	return numberSpelling(e)
}

func numberSpelling(e ast.Expr) spelling {
	switch n := e.(type) {
	case *ast.UnaryMinusOpExpr:
		return numberSpelling(n.Expr)
	case *ast.NumberExpr:
		lit := strings.ToLower(n.Value)
		if !strings.HasPrefix(lit, "0x") && strings.ContainsAny(lit, ".e") {
			return spelledFloat
		}
		return spelledInt
	}
	return spelledNone
}

// walkAST calls visit on every node of a syntax tree, parents first.
func walkAST(v reflect.Value, visit func(node any)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Kind() == reflect.Pointer && v.CanInterface() {
			visit(v.Interface())
		}
		walkAST(v.Elem(), visit)
	case reflect.Slice:
		for i := range v.Len() {
			walkAST(v.Index(i), visit)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walkAST(v.Field(i), visit)
			}
		}
	}
}
