package analyzer

import (
	_ "embed"
	"flag"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/ctrlflow"
	"golang.org/x/tools/go/ssa"
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
	FactTypes: []analysis.Fact{new(ConnFact), new(WrapperFact), new(OriginFact), new(hasConnFacts), new(delegatedCloses)},
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
	return Options{Reject: flagReject, HalfClose: flagHalfClose, Linger: flagLinger, Proxy: flagProxy, EOFLost: flagEOFLost, Drain: flagDrain, GracefulClose: flagGraceful, Trace: flagTrace}.config()
}

// socketPackages are the imports that make a package worth analyzing.
var socketPackages = map[string]bool{
	"net": true, "net/http": true, "crypto/tls": true, pkgSyscall: true, pkgUnix: true,
}

// runPass is the analysis of one package: a pipeline of plain stages per
// function (track, collectEvents, solve, summarize), run on demand so that
// a callee is summarized before its callers, then the rules (judge,
// proxyCandidates) over every function, then reportAll.
func runPass(pass *analysis.Pass, cfg *config) (any, error) {
	relevant, fdAware := socketPackages[pass.Pkg.Path()], false
	for _, imp := range pass.Pkg.Imports() {
		if socketPackages[imp.Path()] || pass.ImportPackageFact(imp, new(hasConnFacts)) {
			relevant = true
		}
		if imp.Path() == pkgSyscall || imp.Path() == pkgUnix {
			fdAware = true
		}
	}
	if !relevant || !mayHoldConns(pass, fdAware) {
		if cfg.trace != "" {
			// No Close rstlint models, but a traced reset may be here.
			for _, d := range confirm(pass, loadTrace(cfg.trace), nil, nil, directives(pass, false)) {
				pass.Report(d)
			}
		}
		return nil, nil
	}
	code := packageSSA(pass)
	defer code.release()
	srcFuncs := code.funcs
	d := &driver{
		user: cfg.user,
		ctx: &trackContext{
			fdAware:  fdAware,
			datagram: datagramParams(srcFuncs),
			fields:   owningFields(srcFuncs),
		},
		analysed: make(map[*ssa.Function]*funcAnalysis),
		busy:     make(map[*ssa.Function]bool),
	}
	sums := &summaries{pass: pass, methodSets: &code.prog.MethodSets, methodValue: code.methodValue, local: d.summary,
		delegation: make(map[delegationKey]bool), wrapperOf: make(map[*ssa.Function]int)}
	d.env = sums
	d.ctx.code = sums
	for _, fn := range srcFuncs {
		d.safeAnalyse(fn)
	}
	exportCodeFacts(pass, srcFuncs, sums)
	exportFacts(pass, srcFuncs, func(fn *ssa.Function) *funcSummary {
		if fa := d.analysed[fn]; fa != nil {
			return fa.sum
		}
		return nil
	})
	var cands []candidate
	read := readSources(d.order)
	for _, fa := range d.order {
		cands = append(cands, judge(fa, read)...)
		cands = append(cands, proxyCandidates(fa)...)
	}
	ignored := directives(pass, true)
	diags := diagnostics(pass, cfg, cands, ignored)
	if cfg.trace != "" {
		diags = confirm(pass, loadTrace(cfg.trace), d.order, diags, ignored)
	}
	for _, d := range diags {
		pass.Report(d)
	}
	if len(d.errs) > 0 {
		sort.Strings(d.errs)
		return nil, fmt.Errorf("internal error (please report): %s", strings.Join(d.errs, "; "))
	}
	return nil, nil
}

// driver runs the per-function stages on demand and remembers their
// results for one package.
type driver struct {
	user     userFuncs
	ctx      *trackContext
	env      callees
	analysed map[*ssa.Function]*funcAnalysis // nil for a function whose analysis failed
	busy     map[*ssa.Function]bool
	order    []*funcAnalysis // in the order analyses finished, for stable reports
	errs     []string
}

// safeAnalyse analyses fn, turning a crash into an error that names the
// function instead of taking down the whole vet run.
func (d *driver) safeAnalyse(fn *ssa.Function) {
	defer func() {
		if r := recover(); r != nil {
			d.errs = append(d.errs, fmt.Sprintf("%s: %v", fn, r))
			d.analysed[fn] = nil
			delete(d.busy, fn)
		}
	}()
	d.analyse(fn)
}

// summary is the summary of a local function, analysing it first if need
// be; nil while it is being analysed (a recursive call counts as unknown).
func (d *driver) summary(fn *ssa.Function) *funcSummary {
	if fa := d.analyse(fn); fa != nil {
		return fa.sum
	}
	return nil
}

// analyse runs the stages on fn once.
func (d *driver) analyse(fn *ssa.Function) *funcAnalysis {
	if fa, ok := d.analysed[fn]; ok {
		return fa
	}
	if d.busy[fn] || len(fn.Blocks) == 0 {
		return nil
	}
	d.busy[fn] = true
	defer delete(d.busy, fn)

	fa := &funcAnalysis{fn: fn, tr: track(fn, d.ctx)}
	if len(fa.tr.conns) > 0 {
		fa.g = newCFG(fn)
		fa.ev = collectEvents(fn, fa.tr, fa.g, d.user, d.env)
		fa.flow = solve(fn, fa.tr, fa.ev, fa.g)
		fa.groups = copyGroups(fn, fa.g, fa.ev)
		fa.sum = summarize(fn, fa.tr, fa.ev, fa.flow, fa.groups)
		d.order = append(d.order, fa)
	} else {
		fa.sum = &funcSummary{effects: paramEffects{}} // known to do nothing to connections
	}
	d.analysed[fn] = fa
	return fa
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
