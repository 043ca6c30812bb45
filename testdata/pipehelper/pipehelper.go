package pipehelper // want package:"hasConnFacts"

// The package holds pipe helpers of a package that imports no
// socket package: their ends are io.ReadWriteCloser parameters, and no
// call in the package says what they are given. A function that copies
// two of its parameters into each other in both directions is a proxy
// whatever their types, and is judged as their owner.

import (
	"io"
	"sync"
)

// BadPipeCloseBoth closes both ends, once, when the first direction
// ends: the other direction, whose answer may still be on its way, is
// cut short (a chat-style tunnel's Pipe).
func BadPipeCloseBoth(client, server io.ReadWriteCloser) {
	var wg sync.WaitGroup
	var once sync.Once
	closeBoth := func() {
		client.Close() // want `conn client is closed when one copy direction ends, while the other uses it: RST`
		server.Close() // want `conn server is closed when one copy direction ends, while the other uses it: RST`
	}
	wg.Add(2)
	go func() {
		io.Copy(client, server)
		once.Do(closeBoth)
		wg.Done()
	}()
	go func() {
		io.Copy(server, client)
		once.Do(closeBoth)
		wg.Done()
	}()
	wg.Wait()
}

// closeWriter is an end that can send its EOF without closing.
type closeWriter interface {
	CloseWrite() error
}

// GoodPipeHalfClose passes each direction's EOF on with CloseWrite where
// the end has it, and waits for both directions; the caller closes.
func GoodPipeHalfClose(client, server io.ReadWriteCloser) {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		io.Copy(server, client)
		if cw, ok := server.(closeWriter); ok {
			cw.CloseWrite()
		} else {
			server.Close()
		}
		wg.Done()
	}()
	go func() {
		io.Copy(client, server)
		if cw, ok := client.(closeWriter); ok {
			cw.CloseWrite()
		} else {
			client.Close()
		}
		wg.Done()
	}()
	wg.Wait()
}

// copyInto is the helper one direction runs.
func copyInto(dst io.Writer, src io.Reader, done chan<- struct{}) {
	io.Copy(dst, src)
	done <- struct{}{}
}

// BadPipeFirstDone runs each direction through a helper and closes both
// ends when the first is done.
func BadPipeFirstDone(client, server io.ReadWriteCloser) {
	done := make(chan struct{}, 2)
	go copyInto(server, client, done)
	go copyInto(client, server, done)
	<-done
	client.Close() // want `conn client is closed when 1 of its 2 copy goroutines ended`
	server.Close() // want `conn server is closed when 1 of its 2 copy goroutines ended`
}

// GoodCopyOneWay copies one way only and closes what it read to the end:
// no pipe, no judgement of ends no call shows.
//
//proof:skip a one-way copy between a writer and a reader that may be files: it shows only that no pipe is seen
func GoodCopyOneWay(w io.WriteCloser, r io.ReadCloser) { // want GoodCopyOneWay:"^conn p0 closes unread:w returns closed uses writes pumps unjudged; p1 closes done returns closed uses reads drains unjudged$"
	io.Copy(w, r)
	r.Close()
	w.Close()
}
