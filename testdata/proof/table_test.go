package proof

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/types"
	"io"
	"net"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/go/packages"

	"rstcases/crosspkg/app"
	"rstcases/crosspkg/wrapconn"
	"rstcases/defers"
	"rstcases/handler"
	"rstcases/linger"
	"rstcases/proxy"
)

// The proof table is derived from the test data, not written by hand. A
// rule package's exported function is a row when its signature is one the
// runner can drive (signatures below). The function's directives say the
// rest, beside the case itself:
//
//	//proof:eof          the protocol ends at the peer's EOF: the peer half-closes after sending
//	//proof:raw          hand the handler the *net.TCPConn itself (it asserts it)
//	//proof:send NAME    the peer sends payloads[NAME] instead of the pipelined requests
//	//proof:peer NAME    a client's server peer: sink (reads, never writes), upstream or feed (streams until cut)
//	//proof:skip REASON  not run on the kernel, and why
//
// The expectation is rstlint's own verdict on the function and on what it
// calls (analyze): the // want comments of the test data. A few cases need
// code of their own to run: overrides, each with its reason.
//
// "go generate ./proof" rewrites cases_gen_test.go: it first writes an
// empty table, so that the package compiles even when a case the old
// table names is gone, then runs TestTableGenerated with -update.
// TestTableGenerated fails while the file is stale.

//go:generate sh -c "printf 'package proof\n\nvar generated []pattern\n' > cases_gen_test.go && go test -run TestTableGenerated -update ."

var update = flag.Bool("update", false, "rewrite cases_gen_test.go from the test data")

// override is a case that needs code of its own to run.
type override struct {
	pattern pattern
	reason  string
}

// overrides are the cases whose signature no adapter drives.
var overrides = map[string]override{
	"defers.BadEarlyReturn": {pattern{server: func(c net.Conn) { defers.BadEarlyReturn(c, true) }},
		"takes the branch to run as a second argument: the early return is the path that resets"},
	"handler.BadFramedReply": {pattern{server: func(c net.Conn) { handler.BadFramedReply(handler.NewFramedConn(c)) }},
		"takes the program's own conn interface: the runner's conn, framed"},
	"handler.GoodFramedReply": {pattern{server: func(c net.Conn) { handler.GoodFramedReply(handler.NewFramedConn(c)) }, eof: true},
		"takes the program's own conn interface: the runner's conn, framed"},
	"handler.GoodFramedQueue": {pattern{server: func(c net.Conn) { handler.GoodFramedQueue(handler.NewFramedConn(c)) }, eof: true},
		"takes the program's own conn interface: the runner's conn, framed"},
	"app.BadWrappedDialFails": {pattern{server: func(c net.Conn) { app.BadWrappedDialFails(&wrapconn.Conn{Conn: c}) }},
		"takes another package's conn wrapper: the runner's conn, wrapped"},
	"app.GoodWrappedDialFails": {pattern{server: func(c net.Conn) { app.GoodWrappedDialFails(&wrapconn.Conn{Conn: c}) }, eof: true},
		"takes another package's conn wrapper: the runner's conn, wrapped"},
	"app.BadWrappedHeaderReject": {pattern{server: func(c net.Conn) { app.BadWrappedHeaderReject(&wrapconn.Conn{Conn: c}) }, send: payloads["bad-magic"]},
		"takes another package's conn wrapper: the runner's conn, wrapped"},
	"app.GoodWrappedHeaderReject": {pattern{server: func(c net.Conn) { app.GoodWrappedHeaderReject(&wrapconn.Conn{Conn: c}) }, send: payloads["bad-magic"], eof: true},
		"takes another package's conn wrapper: the runner's conn, wrapped"},
	"proxy.Relay.BadPipe": {pattern{client: viaProxyPair(func(c, s net.Conn) {
		s.SetDeadline(time.Now().Add(300 * time.Millisecond))
		proxy.NewRelay(c).BadPipe(s, s)
		s.Close()
	}), peer: &upstream}, "a method of a session type: the runner's conns, in a session"},
	"proxy.Relay.GoodPipe": {pattern{client: viaProxyPair(func(c, s net.Conn) {
		proxy.NewRelay(c).GoodPipe(s, s)
		s.Close()
	}), peer: &upstream}, "a method of a session type: the runner's conns, in a session"},
	"handler.BadTunnelDialFails": {pattern{server: func(c net.Conn) { handler.BadTunnelDialFails(handler.NewTunnelConn(c, "127.0.0.1")) }},
		"takes the program's own conn interface: the runner's conn, given a target no dial reaches"},
	"handler.GoodTunnelDialFails": {pattern{server: func(c net.Conn) { handler.GoodTunnelDialFails(handler.NewTunnelConn(c, "127.0.0.1")) }, eof: true},
		"takes the program's own conn interface: the runner's conn, given a target no dial reaches"},
	"linger.BadLingerLeaves": {pattern{server: fromListener(func(ln net.Listener) {
		if c, err := linger.BadLingerLeaves(ln); err == nil {
			io.Copy(c, c) // a caller that echoes to EOF: its Close still resets
			c.Close()
		}
	}), eof: true}, "returns the conn: the caller that echoes to EOF and closes it is part of the case"},
}

// adapter says how the runner drives a signature: the pattern fields of
// the generated row, with {f} standing for the function.
type adapter struct {
	sig    string // the signature, as types.TypeString writes it with package names
	fields string
}

var adapters = []adapter{
	{"func(c net.Conn)", "server: {f}"},
	{"func(ln net.Listener)", "server: fromListener({f})"},
	{"func(ln net.Listener) error", "server: fromListener(func(ln net.Listener) { {f}(ln) })"},
	{"func(c *net.TCPConn)", "server: asTCP({f}), raw: true"},
	{"func(c *net.TCPConn) error", "server: asTCP(func(c *net.TCPConn) { {f}(c) }), raw: true"},
	{"func(c *net.UnixConn)", `server: asUnix({f}), raw: true, network: "unix"`},
	{"func(w http.ResponseWriter, r *http.Request)", "server: httpServe({f})"},
	{"func(raw net.Conn, cfg *tls.Config)", "tlsSrv: {f}"},
	{"func(addr string) error", "client: {f}"},
	{"func(port int) error", "client: withPort({f})"},
	{"func(lfd int)", "rawFD: {f}"},
	{"func(client net.Conn, target string)", "client: viaProxy({f}), peer: &upstream"},
	{"func(client net.Conn, server net.Conn)", "client: viaProxyPair({f}), peer: &upstream"},
	{"func(client io.ReadWriteCloser, server io.ReadWriteCloser)",
		"client: viaProxyPair(func(c, s net.Conn) { {f}(c, s) }), peer: &upstream"},
	{"func(client *net.TCPConn, server *net.TCPConn)",
		"client: viaProxyPair(func(c, s net.Conn) { {f}(c.(*net.TCPConn), s.(*net.TCPConn)) }), peer: &upstream"},
}

// adapterPeer is the peer an adapter names, which a //proof:peer replaces.
var adapterPeer = regexp.MustCompile(`, peer: &\w+`)

// directives are a function's //proof: lines.
type directives struct {
	eof, raw   bool
	send, peer string
	skip       string
}

// directivesOf reads the //proof: lines of a declaration's doc comment.
func directivesOf(fd *ast.FuncDecl) (directives, error) {
	var d directives
	if fd.Doc == nil {
		return d, nil
	}
	for _, c := range fd.Doc.List {
		text, ok := strings.CutPrefix(c.Text, "//proof:")
		if !ok {
			continue
		}
		word, arg, _ := strings.Cut(text, " ")
		switch word {
		case "eof":
			d.eof = true
		case "raw":
			d.raw = true
		case "send":
			if _, ok := payloads[arg]; !ok {
				return d, fmt.Errorf("//proof:send %s: no such payload", arg)
			}
			d.send = arg
		case "peer":
			if arg != "sink" && arg != "upstream" && arg != "feed" {
				return d, fmt.Errorf("//proof:peer %s: sink, upstream or feed", arg)
			}
			d.peer = arg
		case "skip":
			if arg == "" {
				return d, fmt.Errorf("//proof:skip needs a reason")
			}
			d.skip = arg
		default:
			return d, fmt.Errorf("unknown directive //proof:%s", word)
		}
	}
	return d, nil
}

// exportedFuncs yields the exported functions and the exported methods
// of exported types of the rule packages, by "pkg.Func" or "pkg.Type.Method".
func exportedFuncs(pkgs []*packages.Package, yield func(p *packages.Package, name string, fd *ast.FuncDecl)) {
	for _, p := range pkgs {
		if !isRulePackage(p) {
			continue
		}
		for _, f := range p.Syntax {
			for _, decl := range f.Decls {
				fd, ok := decl.(*ast.FuncDecl)
				if !ok || !fd.Name.IsExported() {
					continue
				}
				name := p.Types.Name() + "." + fd.Name.Name
				if fd.Recv != nil {
					recv := recvTypeName(fd)
					if !ast.IsExported(recv) {
						continue // a method of an unexported type: plumbing of its package's cases
					}
					name = p.Types.Name() + "." + recv + "." + fd.Name.Name
				}
				yield(p, name, fd)
			}
		}
	}
}

// isRulePackage: every package of the cases module but this one and the
// tests of the CI recipes.
func isRulePackage(p *packages.Package) bool {
	return p.Types.Name() != "proof" && p.Types.Name() != "cidocs"
}

func recvTypeName(fd *ast.FuncDecl) string {
	t := fd.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	switch t := t.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.IndexExpr:
		if id, ok := t.X.(*ast.Ident); ok {
			return id.Name
		}
	}
	return ""
}

// generateTable writes cases_gen_test.go's source.
func generateTable(pkgs []*packages.Package) ([]byte, error) {
	var rows []string
	imports := map[string]string{} // path -> name
	var errs []string
	exportedFuncs(pkgs, func(p *packages.Package, name string, fd *ast.FuncDecl) {
		d, err := directivesOf(fd)
		if err != nil {
			errs = append(errs, name+": "+err.Error())
			return
		}
		_, overridden := overrides[name]
		if d.skip != "" || overridden || fd.Recv != nil {
			if d.skip != "" && overridden {
				errs = append(errs, name+": both //proof:skip and an override")
			}
			return
		}
		obj := p.TypesInfo.Defs[fd.Name]
		sig := types.TypeString(obj.Type(), func(pkg *types.Package) string { return pkg.Name() })
		i := slices.IndexFunc(adapters, func(a adapter) bool { return a.sig == sig })
		if i < 0 {
			// A helper the cases call is covered by them (TestComplete).
			return
		}
		imports[p.PkgPath] = p.Types.Name()
		fields := strings.ReplaceAll(adapters[i].fields, "{f}", name)
		if d.eof {
			fields += ", eof: true"
		}
		if d.raw && !strings.Contains(fields, "raw: true") {
			fields += ", raw: true"
		}
		if d.send != "" {
			fields += fmt.Sprintf(", send: payloads[%q]", d.send)
		}
		if d.peer != "" {
			// The directive's peer replaces the adapter's.
			fields = adapterPeer.ReplaceAllLiteralString(fields, "")
			fields += ", peer: &" + d.peer
		}
		rows = append(rows, fmt.Sprintf("\t{name: %q, %s},", name, fields))
	})
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	var b bytes.Buffer
	b.WriteString("// Code generated by go test -run TestTableGenerated -update; DO NOT EDIT.\n\npackage proof\n\nimport (\n")
	b.WriteString("\t\"net\"\n\n")
	paths := make([]string, 0, len(imports))
	for path := range imports {
		paths = append(paths, path)
	}
	slices.Sort(paths)
	for _, path := range paths {
		fmt.Fprintf(&b, "\t%q\n", path)
	}
	b.WriteString(")\n\n// generated are the rows derived from the test data's signatures and\n// //proof: directives (table_test.go).\nvar generated = []pattern{\n")
	b.WriteString(strings.Join(rows, "\n"))
	b.WriteString("\n}\n\nvar _ net.Conn // the adapters of some rows name it\n")
	return format.Source(b.Bytes())
}

// TestTableGenerated checks that cases_gen_test.go is what the test data
// says, and rewrites it with -update.
func TestTableGenerated(t *testing.T) {
	src, err := generateTable(mustLoadCases(t))
	if err != nil {
		t.Fatal(err)
	}
	const file = "cases_gen_test.go"
	if *update {
		if err := os.WriteFile(file, src, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile(file)
	if err != nil || !bytes.Equal(old, src) {
		t.Errorf("%s is stale: run go generate ./proof", file)
	}
}
