package reader // want package:"hasConnFacts"

// A goroutine that reads a conn to EOF while its launcher writes: the
// launcher's Close cuts the reader short, and what it has not read yet
// makes the Close reset, unless the launcher waits for the reader (a
// channel the reader closes or sends on when its loop ends, a WaitGroup,
// or a select that also waits on a timer).

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// BadReaderCut closes while its reader may still have input to read. The
// reader starts reading when the launcher says so, here after the Close:
// like a reader busy with earlier input.
func BadReaderCut(c net.Conn) {
	start := make(chan struct{})
	go func() {
		<-start
		io.Copy(io.Discard, c)
	}()
	fmt.Fprintln(c, "bye")
	c.Close() // want `conn c is closed while a goroutine still reads it: its unread input makes RST`
	close(start)
}

// GoodReaderWait half-closes, lets the reader run, and waits for it.
//
//proof:eof
func GoodReaderWait(c *net.TCPConn) {
	start, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		<-start
		io.Copy(io.Discard, c)
	}()
	fmt.Fprintln(c, "bye")
	c.CloseWrite()
	close(start)
	<-done
	c.Close()
}

// GoodReaderDeferredSend waits for a reader that signals from a deferred
// closure, the way relay helpers often do.
//
//proof:eof
func GoodReaderDeferredSend(c *net.TCPConn) {
	start, done := make(chan struct{}), make(chan struct{}, 1)
	go func() {
		defer func() { done <- struct{}{} }()
		<-start
		io.Copy(io.Discard, c)
	}()
	fmt.Fprintln(c, "bye")
	c.CloseWrite()
	close(start)
	<-done
	c.Close()
}

// GoodReaderBounded waits for the reader at most two seconds after the
// half-close.
//
//proof:eof
func GoodReaderBounded(c *net.TCPConn) {
	start, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		<-start
		io.Copy(io.Discard, c)
	}()
	fmt.Fprintln(c, "bye")
	c.CloseWrite()
	close(start)
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	c.Close()
}

// drainInto reads the conn to EOF, then marks the WaitGroup done.
func drainInto(c net.Conn, wg *sync.WaitGroup) {
	defer wg.Done()
	io.Copy(io.Discard, c)
}

// GoodReaderWaitGroup waits on the reader's WaitGroup.
//
//proof:eof
func GoodReaderWaitGroup(c *net.TCPConn) {
	var wg sync.WaitGroup
	wg.Add(1)
	fmt.Fprintln(c, "bye")
	c.CloseWrite()
	go drainInto(c, &wg)
	wg.Wait()
	c.Close()
}

// readLines passes on each line it reads from c, and closes lines at the
// end of the input.
func readLines(c net.Conn, lines chan<- string) {
	r := bufio.NewReader(c)
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			close(lines)
			return
		}
		lines <- l
	}
}

// BadReaderLoopReturn answers each line its reader goroutine passes on and
// returns at BYE: each receive waits for one line, not for the reader's
// end, and the pipelined rest is still queued at the Close.
//
//proof:send bye-pipelined
func BadReaderLoopReturn(c net.Conn) {
	lines := make(chan string)
	go readLines(c, lines)
	defer c.Close() // want `conn c is closed while a goroutine still reads it: its unread input makes RST`
	for l := range lines {
		fmt.Fprintf(c, "ack %s", l)
		if l == "BYE\r\n" {
			return
		}
	}
}

// GoodReaderLoopDrain answers up to BYE, then passes its EOF on and lets
// the reader run to the peer's EOF before it closes.
//
//proof:send bye-pipelined
//proof:eof
func GoodReaderLoopDrain(c net.Conn) {
	lines := make(chan string)
	go readLines(c, lines)
	defer c.Close()
	for l := range lines {
		fmt.Fprintf(c, "ack %s", l)
		if l == "BYE\r\n" {
			if cw, ok := c.(interface{ CloseWrite() error }); ok {
				cw.CloseWrite()
			}
			for range lines {
			}
			break
		}
	}
}

// readLineOrStop reads one line in a goroutine, so that its caller can
// give up when the server stops, and sends the line on: the caller's own
// read.
func readLineOrStop(ctx context.Context, br *bufio.Reader) (string, error) {
	lines := make(chan string, 1)
	go func() {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		lines <- line
	}()
	select {
	case line := <-lines:
		return line, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// BadTimedRead answers the line read in a goroutine and hangs up: the
// peer's next requests are unread.
func BadTimedRead(c net.Conn) { // want BadTimedRead:"^conn p0 closes unread:w,done,done:w returns closed uses reads writes$"
	defer c.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
	line, err := readLineOrStop(context.Background(), bufio.NewReader(c))
	if err != nil {
		return
	}
	fmt.Fprintf(c, "echo %s", line)
}

// GoodTimedRead answers it and reads to the peer's EOF before it closes.
//
//proof:eof
func GoodTimedRead(c net.Conn) { // want GoodTimedRead:"^conn p0 closes done,done:w returns closed uses reads writes drains$"
	defer c.Close()
	br := bufio.NewReader(c)
	line, err := readLineOrStop(context.Background(), br)
	if err != nil {
		return
	}
	fmt.Fprintf(c, "echo %s", line)
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, br)
}
