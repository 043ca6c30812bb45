package analyzer

import (
	_ "embed"
	"flag"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/ctrlflow"

	"github.com/rstlint/rstlint/analyzer/internal/knowledge"
	"github.com/rstlint/rstlint/analyzer/internal/ownership"
	"github.com/rstlint/rstlint/analyzer/internal/summary"
	"github.com/rstlint/rstlint/analyzer/internal/verdict"
)

//go:embed doc.go
var doc string

// Analyzer reports closes of stream connections that make Linux send RST
// instead of FIN: with peer input possibly unread, after CloseWrite without
// a drain, or after SetLinger(0).
//
// Its options are its flags (-reject, -halfclose, -linger, -proxy,
// -eoflost, -drain, -gracefulclose, -tracefile);
// programs that configure it otherwise (a golangci-lint plugin) use New.
var Analyzer = &analysis.Analyzer{
	Name:      "rstlint",
	Doc:       analyzerDoc(doc),
	URL:       "https://pkg.go.dev/github.com/rstlint/rstlint/analyzer",
	Flags:     flags(),
	Run:       func(pass *analysis.Pass) (any, error) { return runPass(pass, flagConfig()) },
	Requires:  []*analysis.Analyzer{ctrlflow.Analyzer},
	FactTypes: summary.Types(),
}

// New returns an analyzer named rstlint with fixed options and no flags.
func New(o Options) *analysis.Analyzer {
	cfg := o.config()
	a := *Analyzer
	a.Flags = flag.FlagSet{}
	a.Run = func(pass *analysis.Pass) (any, error) { return runPass(pass, cfg) }
	return &a
}

// Flag values. Analyzer flags are global in go/analysis drivers.
var (
	flagReject    = true
	flagHalfClose = true
	flagLinger    = true
	flagProxy     = true
	flagEOFLost   = true
	flagDrain     stringList
	flagGraceful  stringList
	flagTrace     string
)

func flags() flag.FlagSet {
	fs := flag.NewFlagSet("rstlint", flag.ExitOnError)
	fs.BoolVar(&flagReject, "reject", true,
		"report "+CategoryRejectUnread+": Close with input unread before anything was written (a rejected peer sees a reset, not EOF)")
	fs.BoolVar(&flagHalfClose, "halfclose", true,
		"report "+CategoryHalfCloseUndrained+": Close after CloseWrite without reading to EOF")
	fs.BoolVar(&flagLinger, "linger", true,
		"report "+CategoryLingerZero+": Close after SetLinger(0)")
	fs.BoolVar(&flagProxy, "proxy", true,
		"report "+CategoryProxyEarlyClose+": a proxy closes its conns when the first of its copy directions finishes")
	fs.BoolVar(&flagEOFLost, "eoflost", true,
		"report "+CategoryProxyEOFLost+": a proxy direction ends without half-closing its destination")
	fs.Var(&flagDrain, "drain",
		"comma-separated functions that read their connection argument to EOF, as types.Func.FullName spells them: example.com/pkg.Drain,(*example.com/pkg.T).Drain")
	fs.Var(&flagGraceful, "gracefulclose",
		"comma-separated functions that close their connection argument gracefully (half-close, drain, close)")
	// The command also accepts it as -trace: the go/analysis drivers own a
	// flag of that name (a runtime trace of the linter itself).
	fs.StringVar(&flagTrace, "tracefile", "",
		"the trace of resetting Closes that tests recorded (rsttest, RSTTEST_TRACE=path): mark diagnostics confirmed, report the resets none predicted ("+CategoryRuntimeOnly+")")
	return *fs
}

// stringList is a comma-separated flag value.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(s string) error {
	*l = nil
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			*l = append(*l, f)
		}
	}
	return nil
}

// flagConfig reads the flags: they are set before any package is analyzed.
func flagConfig() *config {
	return Options{Reject: flagReject, HalfClose: flagHalfClose, Linger: flagLinger, Proxy: flagProxy, EOFLost: flagEOFLost,
		Drain: flagDrain, GracefulClose: flagGraceful, Trace: flagTrace}.config()
}

// socketPackages are the imports that make a package worth analyzing.
var socketPackages = map[string]bool{
	"net": true, "net/http": true, "crypto/tls": true, knowledge.PkgSyscall: true, knowledge.PkgUnix: true,
}

// runPass is the analysis of one package: the package's SSA, built only
// when it may hold a connection; its functions analyzed bottom-up
// (order.go), each by the stages ownership and dataflow, with the
// summaries of its callees at hand; the facts exported; then the verdicts
// over every function, and the diagnostics.
func runPass(pass *analysis.Pass, cfg *config) (any, error) {
	relevant, fdAware, viewMaker, netUser := socketPackages[pass.Pkg.Path()], false, false, false
	for _, imp := range pass.Pkg.Imports() {
		if socketPackages[imp.Path()] || summary.ImportsConnFacts(pass, imp) {
			relevant = true
		}
		if imp.Path() == "net" {
			netUser = true
		}
		if imp.Path() == knowledge.PkgSyscall || imp.Path() == knowledge.PkgUnix {
			fdAware = true
		}
		if imp.Path() == "io" && declaresCloser(pass) {
			relevant = true // a closing helper or a pipe helper: its callers need its summary
		}
		if imp.Path() == "bufio" && declaresViewMaker(pass) {
			relevant, viewMaker = true, true // a helper that hands back a reader over what it is given
		}
	}
	if !relevant || !viewMaker && !mayHoldConns(pass, fdAware, netUser) {
		if cfg.verdict.Trace != "" {
			// No Close rstlint models, but a traced reset may be here.
			for _, d := range verdict.Confirm(pass, verdict.LoadTrace(cfg.verdict.Trace), nil, nil, verdict.Directives(pass, false)) {
				pass.Report(d)
			}
		}
		return nil, nil
	}
	code := packageSSA(pass)
	defer code.release()
	return analyzeCode(pass, cfg, code, fdAware)
}

// analyzeCode runs the stages over a package's built SSA and reports.
func analyzeCode(pass *analysis.Pass, cfg *config, code *packageCode, fdAware bool) (any, error) {
	table := summary.NewTable(pass, &code.prog.MethodSets, code.methodValue)
	nets := ownership.StreamNetworks(code.funcs)
	fields := ownership.OwningFields(code.funcs, nets, table)
	ownership.FindHandlerFields(code.funcs, table)
	ownership.FindAcceptLoops(code.funcs, table)
	ctx := &ownership.Context{
		ClosedAtReturn: ownership.ClosedAtReturn(code.funcs, table),
		FDAware:        fdAware,
		NoStream:       ownership.NoStreamParams(code.funcs, table, ownership.FindNoSockets(code.funcs, table)),
		Fields:         fields,
		Networks:       nets,
		Dialed:         ownership.DialedParams(code.funcs, nets),
		Definite:       ownership.DefiniteParams(code.funcs, nets, fields),
		Table:          table,
	}
	analyses, errs := analyzePackage(code.funcs, ctx, cfg.user, table)
	summary.Export(pass, code.funcs, table)

	ignored := verdict.Directives(pass, true)
	diags := verdict.Diagnostics(pass, &cfg.verdict, verdict.Candidates(analyses), ignored)
	if cfg.verdict.Trace != "" {
		diags = verdict.Confirm(pass, verdict.LoadTrace(cfg.verdict.Trace), analyses, diags, ignored)
	}
	for _, d := range diags {
		pass.Report(d)
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, fmt.Errorf("internal error (please report): %s", strings.Join(errs, "; "))
	}
	return nil, nil
}

// analyzerDoc extracts the "# Analyzer rstlint" section of the package doc.
func analyzerDoc(src string) string {
	const head = "# Analyzer rstlint"
	i := strings.Index(src, head)
	if i < 0 {
		return "rstlint: report closes of stream connections that make Linux send RST"
	}
	var lines []string
	for _, line := range strings.Split(src[i+len(head):], "\n") {
		line = strings.TrimPrefix(line, "//")
		if strings.HasPrefix(line, " # ") || strings.HasPrefix(line, "package ") {
			break
		}
		lines = append(lines, strings.TrimPrefix(line, " "))
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// The facts rstlint exports for other packages (summary/facts.go), named
// here for the programs that read them.
type (
	// ConnFact says what a function does to its connection parameters.
	ConnFact = summary.ConnFact
	// ParamEffect is ConnFact's account of one parameter.
	ParamEffect = summary.ParamEffect
	// WrapperFact says which parameter a function wraps in its result.
	WrapperFact = summary.WrapperFact
	// OriginFact says that a function returns a conn from one origin.
	OriginFact = summary.OriginFact
	// LauncherFact says that a function only runs its function parameter
	// in a new goroutine: a call of it is a go statement.
	LauncherFact = summary.LauncherFact
	// ViewFact says which results of a function hand a parameter's conn
	// back to its caller.
	ViewFact = summary.ViewFact
	// NoSocketFact says that a function's conn result is never a socket
	// (a mux session's Accept hands out streams).
	NoSocketFact = summary.NoSocketFact
	// HandlerFact says that a framework calls the function in a
	// func-typed field with a conn it closes when the function returns.
	HandlerFact = summary.HandlerFact
	// AcceptLoopFact says that a function calls its func parameter with
	// each conn its listener parameter accepts.
	AcceptLoopFact = summary.AcceptLoopFact
)
