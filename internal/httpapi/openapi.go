package httpapi

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// apiDescription heads the OpenAPI document.
const apiDescription = `reel's HTTP API. The daemon serves it on a unix socket (mode 0600) and,
when configured, on TCP, where every request needs Authorization: Bearer TOKEN, a Host of
localhost, 127.0.0.1, [::1], the listen address or an allowed host, and stays under a per-client
rate limit.

Errors are {"error":{"code","message","hint"}}; the code is reel's and sets the status:
not_found 404, ambiguous 409, invalid 400 (413 for a body over its cap, 401 for the token, 421 for
the Host), conflict 409, busy 423 (429 for the rate limit, with Retry-After), unsupported 501
(also for a route whose service this server lacks), corrupt 500, internal 500 (the detail is only
logged). Unknown query parameters and unknown body fields are refused with invalid. Times are
RFC 3339.`

var (
	openAPIOnce sync.Once
	openAPIDoc  []byte
	openAPIErr  error
)

// openAPIDocument returns the OpenAPI 3.1 document of routes, made once.
func openAPIDocument() ([]byte, error) {
	openAPIOnce.Do(func() {
		openAPIDoc, openAPIErr = json.MarshalIndent(buildOpenAPI(), "", "  ")
	})
	return openAPIDoc, openAPIErr
}

// pathParam finds the {name} wildcards of a route pattern.
var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// buildOpenAPI describes every route of routes.
func buildOpenAPI() map[string]any {
	g := &schemas{defs: map[string]any{}}
	g.defs["Error"] = g.object(reflect.TypeFor[errorBody]())
	errResp := map[string]any{"description": "an error; see the status mapping above",
		"content": map[string]any{"application/json": map[string]any{"schema": ref("Error")}}}
	paths := map[string]any{}
	for _, rt := range apiRoutes() {
		op := map[string]any{"operationId": rt.ID, "summary": rt.Summary}
		desc := rt.Doc
		if rt.Needs != "" {
			desc = strings.TrimSpace(desc + " Needs the server's " + rt.Needs + "; 501 without it.")
		}
		if desc != "" {
			op["description"] = desc
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true,
				"schema": map[string]any{"type": "string"}})
		}
		for _, p := range rt.Params {
			params = append(params, queryParamDoc(p))
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.Body != nil {
			max := int64(maxBody)
			if rt.MaxBody > 0 {
				max = rt.MaxBody
			}
			op["requestBody"] = map[string]any{"required": rt.Method == "POST" && !strings.Contains(rt.Doc, "may be empty"),
				"description": "JSON, at most " + sizeName(max) + "; unknown fields are refused",
				"content":     map[string]any{"application/json": map[string]any{"schema": g.of(reflect.TypeOf(rt.Body))}}}
		}
		status := rt.Status
		if status == 0 {
			status = 200
		}
		ok := map[string]any{"description": rt.Summary}
		switch {
		case rt.Resp != nil:
			ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.of(reflect.TypeOf(rt.Resp))}}
		case rt.RawType != "":
			ok["content"] = map[string]any{rt.RawType: map[string]any{}}
		}
		op["responses"] = map[string]any{strconv.Itoa(status): ok, "default": errResp}
		item, _ := paths[rt.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Path] = item
		}
		item[strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": "reel", "version": "1", "description": apiDescription},
		"paths":   paths,
		"components": map[string]any{"schemas": g.defs,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer",
				"description": "required on TCP; the unix socket needs none"}}},
		"security": []any{map[string]any{}, map[string]any{"bearer": []any{}}},
	}
}

// queryParamDoc describes a query parameter.
func queryParamDoc(p param) map[string]any {
	var s map[string]any
	switch p.Type {
	case "integer":
		s = map[string]any{"type": "integer"}
	case "boolean":
		s = map[string]any{"type": "boolean"}
	case "time":
		s = map[string]any{"type": "string", "format": "date-time"}
	case "list":
		s = map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
	default:
		s = map[string]any{"type": "string"}
	}
	d := map[string]any{"name": p.Name, "in": "query", "schema": s, "description": p.Doc}
	if p.Type == "list" {
		d["description"] = p.Doc + " (repeat the parameter or separate values with commas)"
		d["style"], d["explode"] = "form", true
	}
	if p.Required {
		d["required"] = true
	}
	return d
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

// schemas makes JSON Schemas of Go types as encoding/json writes them;
// named structs become components.
type schemas struct{ defs map[string]any }

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
	rawType      = reflect.TypeFor[json.RawMessage]()
)

func (g *schemas) of(t reflect.Type) map[string]any {
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case durationType:
		return map[string]any{"type": "integer", "description": "nanoseconds"}
	case rawType:
		return map[string]any{"description": "any JSON value"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.of(t.Elem())
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": g.of(t.Elem())}
	case reflect.Array:
		return map[string]any{"type": "array", "items": g.of(t.Elem()), "minItems": t.Len(), "maxItems": t.Len()}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.of(t.Elem())}
	case reflect.Struct:
		name := t.Name()
		if name == "" {
			return g.object(t)
		}
		name = exportName(name)
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = nil // a placeholder, for recursive types
			g.defs[name] = g.object(t)
		}
		return ref(name)
	}
	return map[string]any{} // interfaces: any JSON value
}

// object describes a struct's JSON fields; the ones without omitempty or
// omitzero are required.
func (g *schemas) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" || (!f.IsExported() && !f.Anonymous) {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if name == "" {
				name = f.Name
			}
			props[name] = g.of(f.Type)
			if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
				required = append(required, name)
			}
		}
	}
	walk(t)
	s := map[string]any{"type": "object", "properties": props}
	if required != nil {
		s["required"] = required
	}
	return s
}

// exportName capitalises a Go type's name for a component.
func exportName(s string) string {
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
