package directions

// A copy direction is any loop that moves bytes into a conn until its
// source ends: io.Copy in a goroutine, a loop that receives a stream's
// messages and writes them, and the copy the function runs itself. A
// direction that ends without passing the end on (CloseWrite) loses the
// EOF its reader waits for; one that closes the conn another direction
// still uses cuts it short.

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

// BadClientLostEOF sends its request from a goroutine and reads the
// answer to EOF itself: the goroutine ends without CloseWrite, and a
// server that answers at EOF never answers.
//
//proof:peer upstream
func BadClientLostEOF(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	c.SetDeadline(time.Now().Add(300 * time.Millisecond))
	go func() { // want `the copy into conn dialed at directions\.go:\d+ ends without CloseWrite: its peer never sees EOF`
		io.Copy(c, strings.NewReader("the request\n"))
	}()
	_, err = io.Copy(io.Discard, c)
	c.Close()
	return err
}

// GoodClientHalfClose passes the end of the request on.
//
//proof:peer upstream
func GoodClientHalfClose(addr string) error {
	c, err := net.DialTCP("tcp", nil, mustResolve(addr))
	if err != nil {
		return err
	}
	c.SetDeadline(time.Now().Add(2 * time.Second))
	go func() {
		io.Copy(c, strings.NewReader("the request\n"))
		c.CloseWrite()
	}()
	_, err = io.Copy(io.Discard, c)
	c.Close()
	return err
}

// BadInlineLostEOF reads the answer in a goroutine and sends the request
// itself: its own copy ends without CloseWrite, and the reader it waits
// for waits for an EOF a server that answers at EOF never sends.
//
//proof:peer upstream
func BadInlineLostEOF(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	c.SetDeadline(time.Now().Add(300 * time.Millisecond))
	done := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, c)
		done <- err
	}()
	io.Copy(c, strings.NewReader("the request\n")) // want `the copy into conn dialed at directions\.go:\d+ ends without CloseWrite: its peer never sees EOF`
	err = <-done
	c.Close()
	return err
}

// GoodInlineCloseWrite passes the end of its request on.
//
//proof:peer upstream
func GoodInlineCloseWrite(addr string) error {
	c, err := net.DialTCP("tcp", nil, mustResolve(addr))
	if err != nil {
		return err
	}
	c.SetDeadline(time.Now().Add(2 * time.Second))
	done := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, c)
		done <- err
	}()
	io.Copy(c, strings.NewReader("the request\n"))
	c.CloseWrite()
	err = <-done
	c.Close()
	return err
}

func mustResolve(addr string) *net.TCPAddr {
	a, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		panic(err)
	}
	return a
}

// messages is a stream of messages, as a gRPC stream or a framer gives
// them: Recv returns io.EOF after the last.
type messages struct {
	r *bufio.Reader
}

// Recv returns the next line.
func (m *messages) Recv() (string, error) { return m.r.ReadString('\n') }

// BadStreamPump forwards a stream's messages into the conn and reads the
// answer to EOF: at the stream's end the pump returns without CloseWrite.
//
//proof:peer upstream
func BadStreamPump(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	c.SetDeadline(time.Now().Add(300 * time.Millisecond))
	s := &messages{r: bufio.NewReader(strings.NewReader("one\ntwo\n"))}
	go func() { // want `the copy into conn dialed at directions\.go:\d+ ends without CloseWrite: its peer never sees EOF`
		for {
			m, err := s.Recv()
			if err != nil {
				return
			}
			if _, err := io.WriteString(c, m); err != nil {
				return
			}
		}
	}()
	_, err = io.Copy(io.Discard, c)
	c.Close()
	return err
}

// GoodStreamPump passes the stream's end on.
//
//proof:peer upstream
func GoodStreamPump(addr string) error {
	c, err := net.DialTCP("tcp", nil, mustResolve(addr))
	if err != nil {
		return err
	}
	c.SetDeadline(time.Now().Add(2 * time.Second))
	s := &messages{r: bufio.NewReader(strings.NewReader("one\ntwo\n"))}
	go func() {
		for {
			m, err := s.Recv()
			if errors.Is(err, io.EOF) {
				c.CloseWrite()
				return
			}
			if err != nil {
				return
			}
			if _, err := io.WriteString(c, m); err != nil {
				return
			}
		}
	}()
	_, err = io.Copy(io.Discard, c)
	c.Close()
	return err
}

// BadInlineCut copies one direction in a goroutine and the other itself;
// the goroutine closes both conns when its direction ends, while the
// function's own copy still reads the server's answer.
func BadInlineCut(client, server net.Conn) {
	go func() {
		io.Copy(server, client)
		client.Close() // want `conn client is closed when one copy direction ends, while the other uses it: RST`
		server.Close() // want `conn server is closed when one copy direction ends, while the other uses it: RST`
	}()
	io.Copy(client, server)
	client.Close() // want `conn client is closed when one copy direction ends, while the other uses it: RST`
	server.Close()
}

// GoodInlineHalfClose passes each end on and waits for the goroutine.
func GoodInlineHalfClose(client, server *net.TCPConn) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		io.Copy(server, client)
		server.CloseWrite()
	}()
	io.Copy(client, server)
	client.CloseWrite()
	<-done
	client.Close()
	server.Close()
}

// sink collects what a stream relay passes on, as a gRPC stream's
// SendMsg does.
type sink struct{ got []byte }

// Send passes one chunk on.
func (s *sink) Send(b []byte) error {
	s.got = append(s.got, b...)
	return nil
}

// readOut passes what conn sends on to out, by hand: a direction out of
// conn that reads it until its read fails (or out does), as io.Copy does.
func readOut(conn io.Reader, out *sink, wg *sync.WaitGroup) {
	defer wg.Done()
	buf := make([]byte, 512)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return
		}
		if err := out.Send(buf[:n]); err != nil {
			return
		}
	}
}

// relayStream pumps the stream's messages into conn while readOut reads
// it. conn is an io.ReadWriteCloser which every call here passes a conn:
// the function owns it. A cancelled context tears the session down, and
// the Close on it cuts nothing. At the stream's end the pump stops
// without CloseWrite.
func relayStream(ctx context.Context, conn io.ReadWriteCloser, in *messages, out *sink) {
	defer conn.Close()
	var wg sync.WaitGroup
	wg.Add(2)
	go readOut(conn, out, &wg)
	go func() { // want `the copy into conn conn ends without CloseWrite: its peer never sees EOF`
		defer wg.Done()
		for {
			m, err := in.Recv()
			if err != nil {
				return
			}
			select {
			case <-ctx.Done():
				conn.Close()
				return
			default:
			}
			if _, err := io.WriteString(conn, m); err != nil {
				return
			}
		}
	}()
	wg.Wait()
}

// relayStreamHalfClose passes the stream's end on.
func relayStreamHalfClose(ctx context.Context, conn io.ReadWriteCloser, in *messages, out *sink) {
	defer conn.Close()
	var wg sync.WaitGroup
	wg.Add(2)
	go readOut(conn, out, &wg)
	go func() {
		defer wg.Done()
		for {
			m, err := in.Recv()
			if errors.Is(err, io.EOF) {
				if cw, ok := conn.(interface{ CloseWrite() error }); ok {
					cw.CloseWrite()
				}
				return
			}
			if err != nil {
				return
			}
			select {
			case <-ctx.Done():
				conn.Close()
				return
			default:
			}
			if _, err := io.WriteString(conn, m); err != nil {
				return
			}
		}
	}()
	wg.Wait()
}

// BadStreamRelay relays a stream into a dialed conn and reads the answer
// by hand: at the stream's end the pump stops without CloseWrite, and a
// server that answers at EOF never answers.
//
//proof:peer upstream
func BadStreamRelay(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	c.SetDeadline(time.Now().Add(300 * time.Millisecond))
	in := &messages{r: bufio.NewReader(strings.NewReader("one\ntwo\n"))}
	relayStream(context.Background(), c, in, &sink{})
	return nil
}

// GoodStreamRelay passes the stream's end on.
//
//proof:peer upstream
func GoodStreamRelay(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	c.SetDeadline(time.Now().Add(2 * time.Second))
	in := &messages{r: bufio.NewReader(strings.NewReader("one\ntwo\n"))}
	relayStreamHalfClose(context.Background(), c, in, &sink{})
	return nil
}

// BadHandLoopCut copies the server's answers to the client in a
// goroutine, and the client's requests to the server itself, each with a
// hand-written loop. It returns when the client's half ends, and its
// deferred Close of the server cuts the goroutine's copy of the answer.
func BadHandLoopCut(client, server net.Conn) {
	defer client.Close()
	defer server.Close() // want `conn server is closed when one copy direction ends, while the other uses it: RST`
	go func() {          // want `the copy into conn client ends without CloseWrite: its peer never sees EOF`
		buf := make([]byte, 2048)
		for {
			n, err := server.Read(buf)
			if err != nil {
				return
			}
			if _, err := client.Write(buf[:n]); err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 2048)
	for {
		n, err := client.Read(buf)
		if err != nil {
			return
		}
		if _, err := server.Write(buf[:n]); err != nil {
			return
		}
	}
}

// GoodHandLoopWait passes the client's end on and waits for the answer's
// copy to end before it closes.
func GoodHandLoopWait(client, server *net.TCPConn) {
	defer client.Close()
	defer server.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 2048)
		for {
			n, err := server.Read(buf)
			if err != nil {
				client.CloseWrite()
				return
			}
			if _, err := client.Write(buf[:n]); err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 2048)
	for {
		n, err := client.Read(buf)
		if err != nil {
			break
		}
		if _, err := server.Write(buf[:n]); err != nil {
			break
		}
	}
	server.CloseWrite()
	<-done
}
