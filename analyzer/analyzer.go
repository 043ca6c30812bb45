package analyzer

import (
	_ "embed"
	"flag"
	"fmt"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"
)

//go:embed doc.go
var doc string

// Analyzer reports closes of stream connections that make Linux send RST
// instead of FIN: with peer input possibly unread, after CloseWrite without
// a drain, or after SetLinger(0).
//
// Its options are its flags (-halfclose, -linger, -drain, -gracefulclose);
// programs that configure it otherwise (a golangci-lint plugin) use New.
var Analyzer = &analysis.Analyzer{
	Name:      "rstlint",
	Doc:       analyzerDoc(doc),
	URL:       "https://pkg.go.dev/github.com/rstlint/rstlint/analyzer",
	Flags:     flags(),
	Run:       func(pass *analysis.Pass) (any, error) { return run(pass, flagConfig()) },
	Requires:  []*analysis.Analyzer{buildssa.Analyzer},
	FactTypes: []analysis.Fact{new(ConnFact), new(hasConnFacts)},
}

// Options configure an analyzer made by New. The zero value reports
// nothing optional: set HalfClose and Linger for the defaults of the flags.
type Options struct {
	HalfClose     bool     // report halfclose-undrained
	Linger        bool     // report linger-zero
	Proxy         bool     // report proxy-early-close
	Drain         []string // functions that read their connection argument to EOF (types.Func.FullName)
	GracefulClose []string // functions that close their connection argument gracefully
}

// DefaultOptions are the options of Analyzer's default flags.
func DefaultOptions() Options { return Options{HalfClose: true, Linger: true, Proxy: true} }

// New returns an analyzer named rstlint with fixed options and no flags.
func New(o Options) *analysis.Analyzer {
	cfg := o.config()
	a := *Analyzer
	a.Flags = flag.FlagSet{}
	a.Run = func(pass *analysis.Pass) (any, error) { return run(pass, cfg) }
	return &a
}

// Diagnostic categories, stable across releases.
const (
	CategoryUnreadClose        = "unread-close"
	CategoryHalfCloseUndrained = "halfclose-undrained"
	CategoryLingerZero         = "linger-zero"
	CategoryProxyEarlyClose    = "proxy-early-close"
	CategoryDirective          = "directive"
)

// Flag values. Analyzer flags are global in go/analysis drivers.
var (
	flagHalfClose = true
	flagLinger    = true
	flagProxy     = true
	flagDrain     stringList
	flagGraceful  stringList
)

func flags() flag.FlagSet {
	fs := flag.NewFlagSet("rstlint", flag.ExitOnError)
	fs.BoolVar(&flagHalfClose, "halfclose", true,
		"report "+CategoryHalfCloseUndrained+": Close after CloseWrite without reading to EOF")
	fs.BoolVar(&flagLinger, "linger", true,
		"report "+CategoryLingerZero+": Close after SetLinger(0)")
	fs.BoolVar(&flagProxy, "proxy", true,
		"report "+CategoryProxyEarlyClose+": a proxy closes its conns when the first of its copy directions finishes")
	fs.Var(&flagDrain, "drain",
		"comma-separated functions that read their connection argument to EOF, as types.Func.FullName spells them: example.com/pkg.Drain,(*example.com/pkg.T).Drain")
	fs.Var(&flagGraceful, "gracefulclose",
		"comma-separated functions that close their connection argument gracefully (half-close, drain, close)")
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

// config is the flag values in the form the analysis uses.
type config struct {
	halfClose, linger, proxy bool
	drain, graceful          map[string]bool
}

func (o Options) config() *config {
	set := func(l []string) map[string]bool {
		m := make(map[string]bool, len(l))
		for _, s := range l {
			m[s] = true
		}
		return m
	}
	return &config{halfClose: o.HalfClose, linger: o.Linger, proxy: o.Proxy, drain: set(o.Drain), graceful: set(o.GracefulClose)}
}

// flagConfig reads the flags: they are set before any package is analyzed.
func flagConfig() *config {
	return Options{HalfClose: flagHalfClose, Linger: flagLinger, Proxy: flagProxy, Drain: flagDrain, GracefulClose: flagGraceful}.config()
}

// socketPackages are the imports that make a package worth analyzing.
var socketPackages = map[string]bool{
	"net": true, "net/http": true, "crypto/tls": true, pkgSyscall: true, pkgUnix: true,
}

// pkgAnalysis holds the state of one run over one package.
type pkgAnalysis struct {
	pass    *analysis.Pass
	cfg     *config
	fdAware bool // the package makes system calls on raw descriptors
	results map[*ssa.Function]*funcResult
	busy    map[*ssa.Function]bool
	cands   []candidate
	// readDesc names the call at each read or write position, for messages.
	readDesc map[token.Pos]string
	errs     []string
}

func run(pass *analysis.Pass, cfg *config) (any, error) {
	relevant, fdAware := socketPackages[pass.Pkg.Path()], false
	for _, imp := range pass.Pkg.Imports() {
		if socketPackages[imp.Path()] || pass.ImportPackageFact(imp, new(hasConnFacts)) {
			relevant = true
		}
		if imp.Path() == pkgSyscall || imp.Path() == pkgUnix {
			fdAware = true
		}
	}
	if !relevant {
		return nil, nil
	}
	p := &pkgAnalysis{
		pass:     pass,
		cfg:      cfg,
		fdAware:  fdAware,
		results:  make(map[*ssa.Function]*funcResult),
		busy:     make(map[*ssa.Function]bool),
		readDesc: make(map[token.Pos]string),
	}
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	for _, fn := range ssainput.SrcFuncs {
		p.safeAnalyze(fn)
	}
	p.exportFacts(ssainput.SrcFuncs)
	p.reportAll()
	if len(p.errs) > 0 {
		sort.Strings(p.errs)
		return nil, fmt.Errorf("internal error (please report): %s", strings.Join(p.errs, "; "))
	}
	return nil, nil
}

// safeAnalyze analyzes fn, turning a crash into an error that names the
// function instead of taking down the whole vet run.
func (p *pkgAnalysis) safeAnalyze(fn *ssa.Function) {
	defer func() {
		if r := recover(); r != nil {
			p.errs = append(p.errs, fmt.Sprintf("%s: %v", fn, r))
			p.results[fn] = nil
			delete(p.busy, fn)
		}
	}()
	p.analyze(fn)
}

// analyze computes (once) the analysis of fn, and queues its diagnostics.
// It returns nil while fn is being analyzed (recursion), so recursive
// calls count as unknown.
func (p *pkgAnalysis) analyze(fn *ssa.Function) *funcResult {
	if r, ok := p.results[fn]; ok {
		return r
	}
	if p.busy[fn] || len(fn.Blocks) == 0 {
		return nil
	}
	p.busy[fn] = true
	defer delete(p.busy, fn)

	f := &funcFlow{
		pkg:        p,
		fn:         fn,
		alias:      make(map[ssa.Value]aliasRef),
		originAt:   make(map[*ssa.Call]int),
		events:     make(map[ssa.Instruction][]event),
		deferIndex: make(map[*ssa.Defer]int),
		conds:      make(map[ssa.Value][]condFact),
		obs:        make(map[obsKey]*observation),
		launches:   make(map[launchKey]*launchRec),
	}
	res := &funcResult{params: make(map[int]*rootResult), freeVars: make(map[int]*rootResult), sum: &summary{}}
	f.discover()
	if len(f.conns) > 0 {
		f.collectEvents()
		f.solve()
		for k, c := range f.conns {
			switch {
			case c.param >= 0:
				rr := f.rootEffect(k)
				res.params[c.param] = rr
				res.sum.params = append(res.sum.params, rr.effect)
			case c.freeVar >= 0:
				res.freeVars[c.freeVar] = f.rootEffect(k)
			}
		}
		f.report(res)
	}
	p.results[fn] = res
	return res
}

// exportFacts exports what the package's exported functions do to their
// connection parameters, for the packages that import it.
func (p *pkgAnalysis) exportFacts(funcs []*ssa.Function) {
	exported := false
	for _, fn := range funcs {
		obj, ok := fn.Object().(*types.Func)
		if !ok || !obj.Exported() {
			continue
		}
		res := p.results[fn]
		if res == nil || len(res.sum.params) == 0 {
			continue
		}
		var fact ConnFact
		interesting := false
		for _, pe := range res.sum.params {
			// An escaping parameter is what no fact says: leave it out.
			if !pe.Escapes {
				fact.Params = append(fact.Params, pe)
				interesting = interesting || pe.AtClose != 0 || pe.Uses || pe.ErrDone || mask(pe.AtReturn) != maskUnread
			}
		}
		if !interesting {
			continue
		}
		p.pass.ExportObjectFact(obj, &fact)
		exported = true
	}
	if exported {
		p.pass.ExportPackageFact(new(hasConnFacts))
	}
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
