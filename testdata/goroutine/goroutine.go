package goroutine

// Package goroutine: conns handed to goroutines.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"sync"
)

// BadServe hands each conn to a goroutine literal that answers one line.
func BadServe(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer c.Close() // want `conn accepted at goroutine\.go:\d+ is closed with input read in part: RST may destroy our reply`
		line, _ := bufio.NewReader(c).ReadString('\n')
		fmt.Fprint(c, line)
	}()
	<-done
}

// GoodServe's goroutine echoes until EOF.
//
//proof:eof
func GoodServe(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer c.Close()
		io.Copy(c, c)
	}()
	<-done
}

// GoodServeDrainedBefore drains before the go statement: the goroutine
// starts from that state.
//
//proof:eof
func GoodServeDrainedBefore(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	data, _ := io.ReadAll(c)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Write(data)
		c.Close()
	}()
	<-done
}

// handle owns its conn: it is checked itself.
func handle(c net.Conn, done chan struct{}) {
	defer close(done)
	defer c.Close() // want `conn c is closed with input never read: RST may destroy our reply`
	fmt.Fprintln(c, "hello")
}

// BadGoNamed starts a named handler.
func BadGoNamed(ln net.Listener) {
	c, err := ln.Accept()
	if err != nil {
		return
	}
	done := make(chan struct{})
	go handle(c, done)
	<-done
}

// echoAll echoes until the peer's EOF, then closes.
func echoAll(c net.Conn) {
	io.Copy(c, c)
	c.Close()
}

// BadRejectInAcceptLoop rejects conns right after Accept and serves the
// others in goroutines: the goroutine an earlier iteration started holds
// an earlier conn, not the one rejected now, so the reject is judged as
// one (here every conn the loop accepts is rejected).
func BadRejectInAcceptLoop(ln net.Listener) {
	for i := 0; i < 1; i++ {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		if i%2 == 0 {
			c.Close() // want `the accepted conn is closed with input never read, nothing written: the peer gets RST, not EOF`
			continue
		}
		go echoAll(c)
	}
}

// GoodServeInAcceptLoop serves every conn in a goroutine, and waits for
// them.
//
//proof:eof
func GoodServeInAcceptLoop(ln net.Listener) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for i := 0; i < 1; i++ {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			echoAll(c)
		}()
	}
}

// wsession writes through a writer goroutine of its own, which sends
// what the session queues for it.
type wsession struct {
	conn net.Conn
	out  chan string
	done chan struct{}
}

func newWSession(c net.Conn) *wsession {
	return &wsession{conn: c, out: make(chan string, 8), done: make(chan struct{})}
}

func (s *wsession) writeLoop() {
	defer close(s.done)
	for line := range s.out {
		if _, err := io.WriteString(s.conn, line); err != nil {
			return
		}
	}
}

// BadWriterLoop answers one line through its writer goroutine and
// closes: the writer goroutine is the session's own writing, and the
// pipelined rest is unread at the Close.
func BadWriterLoop(c net.Conn) { newWSession(c).serveLine() }

func (s *wsession) serveLine() {
	go s.writeLoop()
	defer s.conn.Close() // want `conn s\.conn is closed with input read in part: RST may destroy our reply`
	line, err := bufio.NewReader(s.conn).ReadString('\n')
	if err != nil {
		return
	}
	s.out <- "echo " + line
	close(s.out)
	<-s.done
}

// GoodWriterLoop answers every line until the peer's EOF.
//
//proof:eof
func GoodWriterLoop(c net.Conn) { newWSession(c).serveAll() }

func (s *wsession) serveAll() {
	go s.writeLoop()
	defer s.conn.Close()
	br := bufio.NewReader(s.conn)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			break
		}
		s.out <- "echo " + line
	}
	close(s.out)
	<-s.done
}

// session is a conn handed to the package's session server, and the
// channel it closes when the session has read the conn to its end.
type session struct {
	c    net.Conn
	done chan struct{}
}

// sessions is served by serveSessions: each conn is echoed to its EOF.
var sessions = make(chan session)

func init() { go serveSessions() }

func serveSessions() {
	for s := range sessions {
		go func() {
			io.Copy(s.c, s.c)
			close(s.done)
		}()
	}
}

// GoodHandedThenWatched hands the conn to a session first, then to a
// goroutine that says goodbye and closes it when the session is done with
// it: the conn is the session's when the goroutine gets it, and that Close
// is not the goroutine's to answer for.
//
//proof:eof
func GoodHandedThenWatched(c net.Conn) {
	done := make(chan struct{})
	sessions <- session{c, done}
	var wg sync.WaitGroup
	wg.Add(1)
	go func(c net.Conn) {
		defer wg.Done()
		<-done
		fmt.Fprintln(c, "bye")
		c.Close()
	}(c)
	wg.Wait()
}

// BadWatchedNotHanded answers one line itself and has a goroutine close
// the conn when it is told to: the goroutine gets a conn that is still
// the function's, with the peer's next lines unread.
func BadWatchedNotHanded(c net.Conn) {
	bufio.NewReader(c).ReadString('\n')
	fmt.Fprintln(c, "OK")
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func(c net.Conn) {
		defer wg.Done()
		<-done
		c.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
	}(c)
	close(done)
	wg.Wait()
}
