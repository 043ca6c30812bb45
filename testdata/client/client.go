package client

// Clients: a dialed conn owes a read only after we wrote a request.

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// GoodPush sends a record and closes: it never reads the conn, so its
// protocol has no replies (a log shipper, a metrics push) and nothing is
// owed.
//
//proof:peer sink
func GoodPush(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Fprintf(c, "PING\r\n")
	return nil
}

// BadNoReadAfterAnswer reads the answer to its first request, sends a
// second one and closes without reading that answer.
func BadNoReadAfterAnswer(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close() // want `conn dialed at client\.go:\d+ is closed with the reply unread: RST may cut our last write short`
	r := bufio.NewReader(c)
	fmt.Fprintf(c, "PING\r\n")
	if _, err := r.ReadString('\n'); err != nil {
		return err
	}
	fmt.Fprintf(c, "PING\r\n")
	return nil
}

// GoodReadReply reads the one-line reply.
func GoodReadReply(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Fprintf(c, "PING\r\n")
	_, err = bufio.NewReader(c).ReadString('\n')
	return err
}

// GoodPortCheck dials and closes: we said nothing, nothing is owed.
func GoodPortCheck(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	return c.Close()
}

// BadQuit greets, reads the reply, says QUIT, and hangs up before the
// reply to QUIT.
func BadQuit(addr string) error {
	var d net.Dialer
	c, err := d.DialContext(context.Background(), "tcp", addr)
	if err != nil {
		return err
	}
	r := bufio.NewReader(c)
	fmt.Fprintf(c, "HELO\r\n")
	if _, err := r.ReadString('\n'); err != nil {
		c.Close()
		return err
	}
	fmt.Fprintf(c, "QUIT\r\n")
	return c.Close() // want `conn dialed at client\.go:\d+ is closed with the reply unread: RST may cut our last write short`
}

// GoodWriteError: after a failed write the conversation is over.
func GoodWriteError(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(c, "PING\r\n"); err != nil {
		c.Close()
		return err
	}
	buf := make([]byte, 16)
	_, err = c.Read(buf)
	c.Close()
	return err
}

// exchange sends one length-prefixed request on a conn its caller dialed
// and reads the whole length-prefixed reply, then closes: every call
// passes a dialed conn, so the client's rules hold here.
func exchange(c *net.TCPConn, req []byte) ([]byte, error) {
	defer c.Close()
	msg := binary.BigEndian.AppendUint32(nil, uint32(len(req)))
	if _, err := c.Write(append(msg, req...)); err != nil {
		return nil, err
	}
	return readFrame(c)
}

// readFrame reads one length-prefixed message.
func readFrame(c io.Reader) ([]byte, error) {
	hdr := make([]byte, 4)
	if _, err := io.ReadFull(c, hdr); err != nil {
		return nil, err
	}
	body := make([]byte, binary.BigEndian.Uint32(hdr))
	_, err := io.ReadFull(c, body)
	return body, err
}

// GoodDialedExchange dials and exchanges through the helper: the reply is
// read in full, nothing is owed at the Close.
func GoodDialedExchange(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	_, err = exchange(c.(*net.TCPConn), []byte("PING"))
	return err
}

// exchangeAndNotify reads the reply, then sends a second request and
// closes without reading its reply.
func exchangeAndNotify(c *net.TCPConn, req []byte) error {
	defer c.Close() // want `conn c is closed with the reply unread: RST may cut our last write short`
	msg := binary.BigEndian.AppendUint32(nil, uint32(len(req)))
	if _, err := c.Write(append(msg, req...)); err != nil {
		return err
	}
	if _, err := readFrame(c); err != nil {
		return err
	}
	_, err := c.Write(msg)
	return err
}

// BadDialedNotify dials and uses the helper that leaves the second reply
// unread.
func BadDialedNotify(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	return exchangeAndNotify(c.(*net.TCPConn), []byte("PING"))
}

// GoodUploadHandshake sends a file on a data conn, as an FTP client's
// STOR does, handshaking it first when it is a TLS conn: the handshake's
// exchange is the TLS layer's, not a reply of the protocol's, which has
// none on this conn. Nothing is owed.
//
//proof:peer sink
func GoodUploadHandshake(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	if h, ok := c.(interface{ Handshake() error }); ok {
		if err := h.Handshake(); err != nil {
			c.Close()
			return err
		}
	}
	fmt.Fprintf(c, "file contents\r\n")
	return c.Close()
}

// version is the header version the clients below send: one sendVersion
// does not know, so it fails before writing anything.
var version = 3

// sendVersion writes the header of a version it knows; on another it
// fails before writing anything, and on a failed write it returns that
// failure (tcpproxy's sendProxyHeader).
func sendVersion(w io.Writer, version int) error {
	switch version {
	case 1:
		_, err := io.WriteString(w, "PING\r\n")
		return err
	case 2:
		_, err := io.WriteString(w, "PING 2\r\n")
		return err
	}
	return fmt.Errorf("version %d not supported", version)
}

// GoodVersionFailure greets, reads the answer, and gives up when its
// header fails: the helper failed before writing or on its write, so
// nothing more is owed on that path.
func GoodVersionFailure(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	r := bufio.NewReader(c)
	fmt.Fprintf(c, "HELLO\r\n")
	if _, err := r.ReadString('\n'); err != nil {
		return err
	}
	if err := sendVersion(c, version); err != nil {
		return err
	}
	_, err = r.ReadString('\n')
	return err
}

// allowed says whether the checked header may be followed by more.
var allowed = false

// sendChecked writes its header, then fails on a check of its own: the
// header is out, and its reply is owed.
func sendChecked(w io.Writer) error {
	if _, err := io.WriteString(w, "PING\r\n"); err != nil {
		return err
	}
	if !allowed {
		return errors.New("not allowed")
	}
	return nil
}

// BadCheckedFailure greets, reads the answer, and gives up when
// sendChecked fails after writing its header, whose answer is owed.
func BadCheckedFailure(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close() // want "conn dialed at client\\.go:\\d+ is closed with the reply unread: RST may cut our last write short"
	r := bufio.NewReader(c)
	fmt.Fprintf(c, "HELLO\r\n")
	if _, err := r.ReadString('\n'); err != nil {
		return err
	}
	if err := sendChecked(c); err != nil {
		return err
	}
	_, err = r.ReadString('\n')
	return err
}

// GoodPingNamedErr pings through pingNamed and closes: the answer is read,
// and on the path where the ping's write fails nothing is owed.
func GoodPingNamedErr(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	return pingNamed(c)
}

// pingMu serializes the pings.
var pingMu sync.Mutex

// pingNamed writes a ping and reads its one-line answer. Its error is a
// named result, which its defer makes a variable in memory: the check of
// the write's error reads it back from there.
func pingNamed(rw io.ReadWriter) (err error) {
	pingMu.Lock()
	defer pingMu.Unlock()
	if _, err = io.WriteString(rw, "PING\r\n"); err != nil {
		return
	}
	_, err = bufio.NewReader(rw).ReadString('\n')
	return
}

// BadPingNamedErrNoWait pings and reads the answer, then pings again
// through pingNoWait, which returns once its ping is written, and closes:
// the second answer is still owed. pingNoWait's error is a named result
// kept in memory too, and only its failed write's path owes nothing.
func BadPingNamedErrNoWait(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close() // want `conn dialed at \S+ is closed with the reply unread: RST may cut our last write short`
	if err := pingNamed(c); err != nil {
		return err
	}
	return pingNoWait(c)
}

// pingNoWait writes a ping and does not wait for its answer.
func pingNoWait(rw io.ReadWriter) (err error) {
	pingMu.Lock()
	defer pingMu.Unlock()
	if _, err = io.WriteString(rw, "PING\r\n"); err != nil {
		return
	}
	return nil
}
