package rsttest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
)

// peerRun is one scenario in progress: the scripted peer's goroutine and the
// events that order it against the code under test.
type peerRun struct {
	e        *testbed
	sent     chan struct{} // the peer's Send was written (or failed)
	closed   chan struct{} // the conn under test is closed: the peer may probe
	peerDone chan struct{} // the peer's goroutine has finished

	sentOnce, closedOnce, finishOnce sync.Once

	echo bool // the server peer writes back what it reads (ServerPeer.Echo)

	mu   sync.Mutex // guards the fields below, shared with the peer's goroutine
	conn net.Conn
	res  PeerResult
	// closedWrite: the peer half-closed at EOF (CloseWriteAtEOF), so
	// its socket may reach CLOSE with no RST.
	closedWrite bool
	problems    []string
}

func newPeerRun(e *testbed) *peerRun {
	return &peerRun{e: e, sent: make(chan struct{}), closed: make(chan struct{}), peerDone: make(chan struct{})}
}

func (r *peerRun) problem(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

func (r *peerRun) signalSent()   { r.sentOnce.Do(func() { close(r.sent) }) }
func (r *peerRun) signalClosed() { r.closedOnce.Do(func() { close(r.closed) }) }

// waitSent waits at most d for the peer's write to return.
func (r *peerRun) waitSent(d time.Duration) { waitFor(r.sent, d) }

// setConn gives the peer its conn, with the scenario's deadline on it.
func (r *peerRun) setConn(c net.Conn) {
	_ = c.SetDeadline(r.e.deadline)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.conn = c
}

// tighten shortens the peer's read deadline to d from now (never lengthens
// it): once the conn under test is closed, EOF or a reset arrives at once, and
// a peer still waiting is waiting for a close that did not happen.
func (r *peerRun) tighten(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.conn != nil {
		_ = r.conn.SetReadDeadline(time.Now().Add(min(d, time.Until(r.e.deadline))))
	}
}

// peerDial is the client peer of RunServer.
func (r *peerRun) peerDial() {
	defer close(r.peerDone)
	defer r.signalSent()
	d := net.Dialer{Deadline: r.e.deadline}
	c, err := d.Dial(r.e.s.network, r.e.ln.Addr().String())
	if err != nil {
		r.problem("the peer could not connect: %v", err)
		return
	}
	r.setConn(c)
	r.send(c)
	r.signalSent()
	r.readAll(c)
	r.probe(c)
}

// peerAccept is the server peer of RunClient.
func (r *peerRun) peerAccept() {
	defer close(r.peerDone)
	c, err := r.e.ln.Accept()
	if err != nil {
		r.problem("the client never connected (accept: %v)", err)
		return
	}
	r.setConn(c)
	if r.e.s.peer.AnswerAtEOF {
		r.answerAtEOF(c)
		return
	}
	if n := r.e.s.peer.Await; n > 0 {
		got, err := io.ReadFull(c, make([]byte, n))
		r.mu.Lock()
		r.res.Received += got
		r.mu.Unlock()
		if err != nil {
			r.ended(readErr(err))
			r.probe(c)
			return
		}
	}
	r.send(c)
	if r.e.s.peer.Stream && len(r.e.s.peer.Send) > 0 {
		r.stream(c)
		r.probe(c)
		return
	}
	r.echo = r.e.s.peer.Echo
	r.readAll(c)
	r.probe(c)
}

// stream writes Send again and again while another goroutine reads what
// comes, until a write fails; the conn's deadline bounds it in time and
// the iteration cap in count.
func (r *peerRun) stream(c net.Conn) {
	read := make(chan struct{})
	go func() {
		defer close(read)
		r.readAll(c)
	}()
	defer func() { <-read }()
	for i := 0; i < 1<<20; i++ {
		n, err := c.Write(r.e.s.peer.Send)
		r.mu.Lock()
		r.res.Sent += n
		if err != nil {
			r.res.WriteErr = err
		}
		r.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// answerAtEOF reads the request to EOF, then answers and half-closes.
func (r *peerRun) answerAtEOF(c net.Conn) {
	buf := make([]byte, 32<<10)
	for i := 0; ; i++ {
		n, err := c.Read(buf)
		r.mu.Lock()
		r.res.Received += n
		r.mu.Unlock()
		if err == io.EOF {
			break
		}
		if err != nil || i == 1<<20 {
			r.ended(readErr(err))
			r.probe(c)
			return
		}
	}
	n, err := c.Write(r.e.s.peer.Send)
	if err == nil {
		if cw, ok := c.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
			r.mu.Lock()
			r.closedWrite = true
			r.mu.Unlock()
		}
	}
	r.mu.Lock()
	r.res.Sent, r.res.WriteErr = n, err
	r.mu.Unlock()
	r.probe(c)
}

// send writes the peer's Send in one call, then half-closes if asked.
func (r *peerRun) send(c net.Conn) {
	p := r.e.s.peer
	n, err := c.Write(p.Send)
	if err == nil && p.HalfClose {
		err = c.(interface{ CloseWrite() error }).CloseWrite()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Sent, r.res.WriteErr = n, err
}

// readAll reads until EOF or an error, counting bytes; the conn's deadline
// bounds it in time and the iteration cap in count.
func (r *peerRun) readAll(c net.Conn) {
	buf := make([]byte, 32<<10)
	for i := 0; i < 1<<20; i++ {
		n, err := c.Read(buf)
		r.mu.Lock()
		r.res.Received += n
		r.mu.Unlock()
		if r.echo && n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				r.mu.Lock()
				if r.res.WriteErr == nil {
					r.res.WriteErr = werr
				}
				r.mu.Unlock()
			}
		}
		if err != nil {
			r.ended(readErr(err))
			if err == io.EOF && r.e.s.peer.CloseWriteAtEOF {
				if cw, ok := c.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
					r.mu.Lock()
					r.closedWrite = true
					r.mu.Unlock()
				}
			}
			return
		}
	}
	r.ended(errors.New("rsttest: the peer stopped reading after 2^20 reads"))
}

// ended records how the peer's reading ended (nil: EOF).
func (r *peerRun) ended(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.ReadErr = err
}

// readErr maps io.EOF, the clean end, to nil.
func readErr(err error) error {
	if err == io.EOF {
		return nil
	}
	return err
}

// probe looks at the peer's socket once the conn under test is closed,
// before the peer closes its own: for tcp its pending error (SO_ERROR) and
// TCP state; for unix one more read, which returns the ECONNRESET a
// resetting close set even after an earlier EOF.
func (r *peerRun) probe(c net.Conn) {
	if !waitFor(r.closed, time.Until(r.e.deadline)) {
		return
	}
	switch r.e.s.network {
	case "tcp":
		s, err := tcpState(c.(syscall.Conn)), soError(c.(syscall.Conn))
		r.mu.Lock()
		r.res.State, r.res.AfterClose = s, err
		r.mu.Unlock()
	case "unix":
		r.mu.Lock()
		eof := r.res.ReadErr == nil
		r.mu.Unlock()
		if !eof {
			return
		}
		_ = c.SetReadDeadline(time.Now().Add(min(time.Second, time.Until(r.e.deadline))))
		n, err := c.Read(make([]byte, 1))
		err = readErr(err)
		if n > 0 {
			err = fmt.Errorf("rsttest: read %d bytes after EOF", n)
		}
		r.mu.Lock()
		r.res.AfterClose = err
		r.mu.Unlock()
	}
}

// observe ends the scenario's measurement: it tells the peer that the conn
// under test is closed, waits for it, and reads the counters before the peer
// closes its own socket (whose close is no part of the verdict).
func (r *peerRun) observe() evidence {
	r.signalClosed()
	r.tighten(time.Second)
	if !waitFor(r.peerDone, time.Until(r.e.deadline)+2*time.Second) {
		r.problem("the scripted peer did not finish")
	}
	o := evidence{network: r.e.s.network, netns: r.e.netns, netnsWhy: r.e.netnsWhy,
		peerHalfClosed: r.e.s.peer.HalfClose}
	o.counters, o.countersErr = r.e.delta()
	r.mu.Lock()
	defer r.mu.Unlock()
	o.peerHalfClosed = o.peerHalfClosed || r.closedWrite
	o.peer = r.res
	o.problems = append([]string(nil), r.problems...)
	return o
}

// finish stops the peer and waits for its goroutine; it runs on every return
// path of RunServer and RunClient.
func (r *peerRun) finish() {
	r.finishOnce.Do(func() {
		r.signalClosed()
		r.tighten(0)
		r.e.setAcceptDeadline(0)
		if !waitFor(r.peerDone, time.Until(r.e.deadline)+2*time.Second) {
			fmt.Fprintln(os.Stderr, "rsttest: the scripted peer's goroutine did not finish")
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.conn != nil {
			r.conn.Close()
		}
	})
}
