package fields // want package:"hasConnFacts"

// Conns kept in struct fields: a field every store of the package fills
// with a conn, from one function, is owning, and the methods that use and
// close it are judged as its owners.

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"time"
)

// session keeps the accepted conn.
type session struct {
	conn net.Conn
	r    *bufio.Reader
}

// AcceptBad serves one conn through a session that answers one line.
func AcceptBad(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	s := &session{conn: c, r: bufio.NewReader(c)}
	s.serveLine()
}

// serveLine answers one line and closes: the pipelined rest is unread.
func (s *session) serveLine() {
	defer s.conn.Close() // want `conn s\.conn is closed with input read in part: RST may destroy our reply`
	line, err := s.r.ReadString('\n')
	if err != nil {
		return
	}
	fmt.Fprintf(s.conn, "echo %s", line)
}

// echo keeps its conn in a session too, and answers until EOF.
type echo struct {
	conn net.Conn
}

// AcceptGood serves one conn until the peer's EOF.
//
//proof:eof
func AcceptGood(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	e := &echo{conn: c}
	e.serve()
}

func (e *echo) serve() {
	defer e.conn.Close()
	io.Copy(e.conn, e.conn)
}

// hangup keeps its conn and closes it through a method that only closes.
type hangup struct {
	conn net.Conn
}

// ServeHangUp answers and hangs up through close(): judged at the call.
func ServeHangUp(c net.Conn) {
	h := &hangup{conn: c}
	h.answer()
}

func (h *hangup) answer() {
	fmt.Fprintln(h.conn, "bye")
	h.Close() // want `conn h\.conn is closed by \(\*fields\.hangup\)\.Close with input never read: RST may destroy our reply`
}

// Close only closes: it is summarized (its fact names the field) and
// judged where it is called.
func (h *hangup) Close() error { return h.conn.Close() } // want Close:"^conn p0[.]conn closes unread returns closed errdone$"

// goLiteral reads and closes its field in a goroutine literal.
type goLiteral struct {
	conn net.Conn
}

// AcceptGoLiteral serves through a goroutine literal started by a method.
func AcceptGoLiteral(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	g := &goLiteral{conn: c}
	g.start()
}

func (g *goLiteral) start() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer g.conn.Close() // want `conn g\.conn is closed with input read in part: RST may destroy our reply`
		line, _ := bufio.NewReader(g.conn).ReadString('\n')
		fmt.Fprint(g.conn, strings.ToUpper(line))
	}()
	<-done
}

// Client keeps a dialed textproto conn, as FTP and SMTP clients do.
type Client struct {
	conn *textproto.Conn
}

// Dial connects and reads the greeting.
//
//proof:skip a constructor, run through fields.BadClientQuit and fields.GoodClientQuit
func Dial(addr string) (*Client, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	cl := &Client{conn: textproto.NewConn(c)}
	return cl, nil
}

// Ping sends PING and reads the answer: the protocol has replies.
func (c *Client) Ping() error { // want Ping:"^conn p0[.]conn returns done:w uses reads writes errdone errread$"
	if err := c.conn.PrintfLine("PING"); err != nil {
		return err
	}
	_, err := c.conn.ReadLine()
	return err
}

// Quit says QUIT and closes without reading the answer to QUIT.
func (c *Client) Quit() error { // want Quit:"^conn p0[.]conn closes unread:w returns closed uses writes errdone$"
	c.conn.PrintfLine("QUIT")
	return c.conn.Close() // want `conn c\.conn is closed with the reply unread: RST may cut our last write short`
}

// QuitGood reads the answer to QUIT before closing.
func (c *Client) QuitGood() error { // want QuitGood:"^conn p0[.]conn closes done:w returns closed uses reads writes errdone$"
	c.conn.PrintfLine("QUIT")
	c.conn.ReadLine()
	return c.conn.Close()
}

// BadClientQuit dials, pings and quits without reading the last answer.
func BadClientQuit(addr string) error {
	c, err := Dial(addr)
	if err != nil {
		return err
	}
	if err := c.Ping(); err != nil {
		return err
	}
	return c.Quit()
}

// GoodClientQuit quits reading the last answer.
func GoodClientQuit(addr string) error {
	c, err := Dial(addr)
	if err != nil {
		return err
	}
	if err := c.Ping(); err != nil {
		return err
	}
	return c.QuitGood()
}

// pusher never reads its dialed conn: one-way, nothing is owed.
type pusher struct {
	conn net.Conn
}

// Push dials, writes a record and closes.
//
//proof:peer sink
func Push(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	p := &pusher{conn: c}
	return p.send("record")
}

func (p *pusher) send(rec string) error {
	defer p.conn.Close()
	_, err := fmt.Fprintln(p.conn, rec)
	return err
}

// redial's field is stored from two functions: ownership is unclear.
type redial struct {
	conn net.Conn
}

func newRedial(c net.Conn) *redial { return &redial{conn: c} }

func (r *redial) reconnect(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	r.conn = c
	return nil
}

func (r *redial) bye() {
	fmt.Fprintln(r.conn, "bye")
	r.conn.Close()
}

// Redial uses redial; nothing is reported.
//
//proof:skip a field stored from two functions: ownership is unclear, silence by design
func Redial(c net.Conn, addr string) {
	r := newRedial(c)
	r.bye()
	r.reconnect(addr)
}

// registry shares its sessions in a map: whoever closes, silence.
type registry struct {
	byName map[string]*shared
}

type shared struct {
	conn net.Conn
}

// Register keeps the session in the registry; its method is not judged.
func (g *registry) Register(name string, c net.Conn) {
	s := &shared{conn: c}
	g.byName[name] = s
	s.greet()
}

func (s *shared) greet() {
	fmt.Fprintln(s.conn, "hello")
	s.kick()
}

func (s *shared) kick() {
	fmt.Fprintln(s.conn, "bye")
	s.conn.SetDeadline(time.Now())
	s.conn.Close()
}

// watched is a session whose conn field is exported, read through a
// bufio.Reader in another field, and watched by a helper that points back
// to it: the struct is still the conn's one owner.
type watched struct {
	Conn net.Conn
	r    *bufio.Reader
	w    *idleWatcher
}

// idleWatcher points back to the session it watches.
type idleWatcher struct {
	s    *watched
	stop chan struct{}
}

func newWatched(c net.Conn) *watched {
	s := &watched{Conn: c, r: bufio.NewReader(c)}
	s.w = &idleWatcher{s: s, stop: make(chan struct{})}
	return s
}

// BadWatched answers one line and closes: the pipelined rest is unread.
func BadWatched(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	s := newWatched(c)
	s.serveLine()
}

func (s *watched) serveLine() {
	defer close(s.w.stop)
	defer s.Conn.Close() // want `conn s\.Conn is closed with input read in part: RST may destroy our reply`
	line, err := s.r.ReadString('\n')
	if err != nil {
		return
	}
	fmt.Fprintf(s.Conn, "echo %s", line)
}

// GoodWatched answers every line until the peer's EOF.
//
//proof:eof
func GoodWatched(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	s := newWatched(c)
	s.serveAll()
}

func (s *watched) serveAll() {
	defer close(s.w.stop)
	defer s.Conn.Close()
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return
		}
		fmt.Fprintf(s.Conn, "echo %s", line)
	}
}

// rwcSession keeps its conn in a field of a type a conn only satisfies:
// every value the package stores there is a conn, so it is a conn's field.
type rwcSession struct {
	conn io.ReadWriteCloser
	r    *bufio.Reader
}

func newRWCSession(c net.Conn) *rwcSession {
	return &rwcSession{conn: c, r: bufio.NewReader(c)}
}

// BadRWCField answers one line and closes: the pipelined rest is unread.
func BadRWCField(c net.Conn) { newRWCSession(c).serveLine() }

func (s *rwcSession) serveLine() {
	defer s.conn.Close() // want `conn s\.conn is closed with input read in part: RST may destroy our reply`
	line, err := s.r.ReadString('\n')
	if err != nil {
		return
	}
	fmt.Fprintf(s.conn, "echo %s", line)
}

// GoodRWCField answers every line until the peer's EOF.
//
//proof:eof
func GoodRWCField(c net.Conn) { newRWCSession(c).serveAll() }

func (s *rwcSession) serveAll() {
	defer s.conn.Close()
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return
		}
		fmt.Fprintf(s.conn, "echo %s", line)
	}
}

// replayed is one of the program's conn structs: it gives back the bytes
// read before it was made, then the conn's own.
type replayed struct {
	net.Conn
	pre []byte
}

func (r *replayed) Read(b []byte) (int, error) { // want Read:"^conn p0[.]Conn returns unread uses reads errdone errread$"
	if len(r.pre) > 0 {
		n := copy(b, r.pre)
		r.pre = r.pre[n:]
		return n, nil
	}
	return r.Conn.Read(b)
}

// sniffed keeps its conn in a field that a method stores again, wrapped
// around its own value (s.conn = &replayed{Conn: s.conn}, as an upgrade
// to TLS does): the same conn, and still one owner.
type sniffed struct {
	conn net.Conn
}

func (s *sniffed) replay(pre []byte) { s.conn = &replayed{Conn: s.conn, pre: pre} }

// BadRewrappedField sniffs a prefix, replays it and answers one line:
// the pipelined rest is unread.
func BadRewrappedField(c net.Conn) { (&sniffed{conn: c}).serveLine() }

func (s *sniffed) serveLine() {
	defer s.conn.Close() // want `conn s\.conn \(a field of fields\.sniffed\) is closed with input read in part: RST may destroy our reply`
	pre := make([]byte, 4)
	if _, err := io.ReadFull(s.conn, pre); err != nil {
		return
	}
	s.replay(pre)
	line, err := bufio.NewReader(s.conn).ReadString('\n')
	if err != nil {
		return
	}
	fmt.Fprintf(s.conn, "echo %s", line)
}

// GoodRewrappedField echoes through the replaying conn until the peer's
// EOF.
//
//proof:eof
func GoodRewrappedField(c net.Conn) { (&sniffed{conn: c}).serveAll() }

func (s *sniffed) serveAll() {
	defer s.conn.Close()
	pre := make([]byte, 4)
	if _, err := io.ReadFull(s.conn, pre); err != nil {
		return
	}
	s.replay(pre)
	io.Copy(s.conn, s.conn)
}

// connector holds the conn it dialed until the link it builds takes it:
// link.conn is filled from connector.conn, an owning field, and holds
// its conn.
type connector struct {
	conn net.Conn
}

type link struct {
	conn net.Conn
	r    *bufio.Reader
}

// dialLink dials through a connector and moves the conn into a link.
//
//proof:skip a constructor, run through fields.BadLinkQuit and fields.GoodLinkQuit
func dialLink(addr string) (*link, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	d := &connector{conn: c}
	return &link{conn: d.conn, r: bufio.NewReader(d.conn)}, nil
}

// BadLinkQuit pings, reads the answer, pings again and closes without
// reading the second answer.
func BadLinkQuit(addr string) error {
	l, err := dialLink(addr)
	if err != nil {
		return err
	}
	return l.pingTwice()
}

func (l *link) pingTwice() error {
	defer l.conn.Close() // want `conn l\.conn is closed with the reply unread: RST may cut our last write short`
	fmt.Fprintln(l.conn, "PING")
	if _, err := l.r.ReadString('\n'); err != nil {
		return err
	}
	_, err := fmt.Fprintln(l.conn, "PING")
	return err
}

// GoodLinkQuit reads both answers.
func GoodLinkQuit(addr string) error {
	l, err := dialLink(addr)
	if err != nil {
		return err
	}
	return l.pingPing()
}

func (l *link) pingPing() error {
	defer l.conn.Close()
	fmt.Fprintln(l.conn, "PING")
	if _, err := l.r.ReadString('\n'); err != nil {
		return err
	}
	fmt.Fprintln(l.conn, "PING")
	_, err := l.r.ReadString('\n')
	return err
}

// lineSession upgrades its conn to TLS in place when the client asks
// (STARTTLS), as SMTP, FTP and LDAP servers do: a command protocol whose
// client waits for each answer, where a Close after the last answer cuts
// nothing. rstlint cannot tell that goodbye from a cut, and leaves the
// field unjudged.
type lineSession struct {
	conn net.Conn
	cfg  *tls.Config
}

func (s *lineSession) startTLS() { s.conn = tls.Server(s.conn, s.cfg) }

// ServeStartTLS answers QUIT and closes; nothing is reported.
//
//proof:skip a field upgraded to TLS in place: a command protocol's goodbye, unjudged by design
func ServeStartTLS(c net.Conn, cfg *tls.Config) {
	s := &lineSession{conn: c, cfg: cfg}
	defer s.conn.Close()
	line, err := bufio.NewReader(s.conn).ReadString('\n')
	if err != nil {
		return
	}
	if line == "STARTTLS\r\n" {
		s.startTLS()
	}
	fmt.Fprintf(s.conn, "221 bye\r\n")
}

// netPart is the network half of a client, kept by value in it.
type netPart struct {
	conn net.Conn
	br   *bufio.Reader
}

// nestedClient keeps its conn two fields deep (cl.net.conn), in a struct
// value of its own: still one owner.
type nestedClient struct {
	id  int
	net netPart
}

func newNestedClient(c net.Conn) *nestedClient {
	cl := &nestedClient{}
	cl.net = netPart{conn: c, br: bufio.NewReader(c)}
	return cl
}

func (cl *nestedClient) stop() { cl.net.conn.Close() }

// BadNestedField answers one line and stops: the pipelined rest is
// unread.
func BadNestedField(c net.Conn) { newNestedClient(c).serveLine() }

func (cl *nestedClient) serveLine() {
	defer cl.stop() // want `the conn is closed by \(\*fields\.nestedClient\)\.stop with input read in part: RST may destroy our reply`
	line, err := cl.net.br.ReadString('\n')
	if err != nil {
		return
	}
	fmt.Fprintf(cl.net.conn, "echo %s", line)
}

// GoodNestedField answers every line until the peer's EOF.
//
//proof:eof
func GoodNestedField(c net.Conn) { newNestedClient(c).serveAll() }

func (cl *nestedClient) serveAll() {
	defer cl.stop()
	for {
		line, err := cl.net.br.ReadString('\n')
		if err != nil {
			return
		}
		fmt.Fprintf(cl.net.conn, "echo %s", line)
	}
}

// regNet is the network part of a registered client, held by value.
type regNet struct {
	conn net.Conn
}

// regClient is kept in a registry: its network part is shared with it.
type regClient struct {
	net regNet
}

// clientRegistry maps names to clients: who closes a client's conn is
// unclear, and its fields, nested ones too, are not owning.
type clientRegistry struct {
	clients map[string]*regClient
}

func (r *clientRegistry) add(name string, c net.Conn) {
	r.clients[name] = &regClient{net: regNet{conn: c}}
}

// KickRegistered says bye to a registered client and closes its conn;
// nothing is reported.
//
//proof:skip a conn reached through a registry: ownership is unclear, silence by design
func (r *clientRegistry) KickRegistered(name string) { r.clients[name].kick() }

func (cl *regClient) kick() {
	fmt.Fprintln(cl.net.conn, "bye")
	cl.net.conn.Close()
}
