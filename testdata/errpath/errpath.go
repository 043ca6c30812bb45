package errpath // want package:"hasConnFacts"
// Package errpath: early returns after a partial read.

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"time"
)

// BadAuth returns on an authentication failure after reading only the
// first line; a client that pipelined its command gets RST.
//
//proof:send auth-wrong
func BadAuth(c net.Conn) { // want BadAuth:"^conn p0 closes unread:w,done,done:w returns closed uses reads writes drains$"
	defer c.Close() // want `conn c is closed with input read in part: RST may destroy our reply`
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		return // a failed read: fine
	}
	if strings.TrimSpace(line) != "AUTH secret" {
		io.WriteString(c, "-ERR auth\n")
		return // still unread: RST
	}
	io.WriteString(c, "+OK\n")
	io.Copy(io.Discard, r)
}

// GoodAuth reads the rest (bounded) before giving up.
//
//proof:send auth-wrong
//proof:raw
func GoodAuth(c net.Conn) { // want GoodAuth:"^conn p0 closes done,done:w,done:w:hc returns closed uses reads writes drains$"
	defer c.Close()
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		return
	}
	if strings.TrimSpace(line) != "AUTH secret" {
		io.WriteString(c, "-ERR auth\n")
		c.(*net.TCPConn).CloseWrite()
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		io.Copy(io.Discard, io.LimitReader(r, 1<<16))
		return
	}
	io.WriteString(c, "+OK\n")
	io.Copy(io.Discard, r)
}

// GoodReadError closes only on paths where a read or write failed.
//
//proof:eof
//proof:send short
func GoodReadError(c net.Conn) { // want GoodReadError:"^conn p0 closes done,done:w returns closed uses reads writes$"
	buf := make([]byte, 4)
	for {
		if _, err := io.ReadFull(c, buf); err != nil {
			if errors.Is(err, io.EOF) {
				c.Close()
				return
			}
			c.Close()
			return
		}
		if _, err := c.Write(buf); err != nil {
			c.Close()
			return
		}
	}
}

// readHeader reads a fixed header; its error comes only from the read.
func readHeader(r io.Reader) ([]byte, error) {
	h := make([]byte, 8)
	if _, err := io.ReadFull(r, h); err != nil {
		return nil, err
	}
	return h, nil
}

// parseHeader reads a header and rejects a bad magic: its error may come
// after a successful partial read.
func parseHeader(r io.Reader) error {
	h, err := readHeader(r)
	if err != nil {
		return err
	}
	if string(h[:4]) != "RST1" {
		return errors.New("bad magic")
	}
	return nil
}

// GoodHeaderError returns on readHeader's error: that is a failed read.
//
//proof:eof
//proof:send header-body
func GoodHeaderError(c net.Conn) { // want GoodHeaderError:"^conn p0 closes done returns closed uses reads drains$"
	defer c.Close()
	if _, err := readHeader(c); err != nil {
		return
	}
	io.Copy(io.Discard, c)
}

// BadMagic returns on parseHeader's error, which may be "bad magic"
// after a partial read: the rest is unread.
//
//proof:send bad-magic
func BadMagic(c net.Conn) { // want BadMagic:"^conn p0 closes unread:rj,done returns closed uses reads drains$"
	defer c.Close() // want `conn c is closed after rejecting its input, nothing written: the peer gets RST, not EOF`
	if err := parseHeader(c); err != nil {
		return
	}
	io.Copy(io.Discard, c)
}

// writeFrame writes p behind a one-byte length: its error is a write's.
func writeFrame(w io.Writer, p []byte) (err error) {
	if _, err = w.Write([]byte{byte(len(p))}); err != nil {
		return
	}
	_, err = w.Write(p)
	return
}

// sendFrame writes p raw or framed. Its named result is set by its own
// write on one path and by writeFrame's on the other: a write failed on
// every path where it is not nil.
func sendFrame(w io.Writer, p []byte, raw bool) (err error) {
	if raw {
		_, err = w.Write(p)
	} else {
		err = writeFrame(w, p)
	}
	return
}

// GoodFrameError gives up where sendFrame failed: the conn is broken,
// nothing is lost.
//
//proof:eof
func GoodFrameError(c net.Conn) { // want GoodFrameError:"^conn p0 closes done,done:w returns closed uses reads writes drains$"
	defer c.Close()
	br := bufio.NewReader(c)
	if _, err := br.ReadString('\n'); err != nil {
		return
	}
	if err := sendFrame(c, []byte("OK\n"), false); err != nil {
		return
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, br)
}

// sendChecked refuses a frame its header cannot say, before it writes:
// its error is not always a failed write.
func sendChecked(w io.Writer, p []byte, raw bool) (err error) {
	switch {
	case len(p) > 255:
		err = errors.New("frame too long")
	case raw:
		_, err = w.Write(p)
	default:
		err = writeFrame(w, p)
	}
	return
}

// BadFrameTooLong has a reply too long to frame and gives up with the
// peer's next requests unread.
func BadFrameTooLong(c net.Conn) { // want BadFrameTooLong:"^conn p0 closes unread,unread:w,done,done:w returns closed uses reads writes drains$"
	defer c.Close() // want `conn c is closed with input read in part: RST may destroy our reply` `conn c is closed with input read in part, nothing written: the peer gets RST, not EOF`
	br := bufio.NewReader(c)
	if _, err := br.ReadString('\n'); err != nil {
		return
	}
	if err := sendChecked(c, make([]byte, 300), false); err != nil {
		return
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, br)
}

// checkedHeader hands parseHeader's error on after testing it: its
// returns of a nil error are only the paths where the magic matched, so
// its callers' nil-error paths carry no rejected input.
func checkedHeader(r io.Reader) error {
	if err := parseHeader(r); err != nil {
		return err
	}
	return nil
}

// BadTestedHangUp hangs up once the helper accepted the header, on the
// rest of the input: a close after a partial read, and only that, since
// the helper's tested error keeps its rejects off this path.
//
//proof:send header-body
func BadTestedHangUp(c net.Conn) { // want BadTestedHangUp:"^conn p0 closes unread,done returns closed uses reads drains$"
	if err := checkedHeader(c); err != nil {
		io.Copy(io.Discard, c)
		c.Close()
		return
	}
	c.Close() // want `conn c is closed with input read in part, nothing written: the peer gets RST, not EOF`
}

// GoodTestedHangUp reads the rest to its end before it hangs up.
//
//proof:eof
//proof:send header-body
func GoodTestedHangUp(c net.Conn) { // want GoodTestedHangUp:"^conn p0 closes done returns closed uses reads drains$"
	if err := checkedHeader(c); err != nil {
		io.Copy(io.Discard, c)
		c.Close()
		return
	}
	io.Copy(io.Discard, c)
	c.Close()
}
