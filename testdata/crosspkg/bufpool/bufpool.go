package bufpool // want package:"hasConnFacts"

// A pool of buffered readers, as proxies keep one: it imports no socket
// package, and its callers still need to know that the reader it hands
// out reads what they gave it.

import (
	"bufio"
	"io"
	"sync"
)

var readers sync.Pool

// Get returns a pooled reader reading r.
//
//proof:skip a helper of another package, run through app.BadPooledReply and app.GoodPooledReply
func Get(r io.Reader) *bufio.Reader { // want Get:"^views r0=p0 reader$" Get:"^conn p0 returns unread$"
	if v := readers.Get(); v != nil {
		br := v.(*bufio.Reader)
		br.Reset(r)
		return br
	}
	return bufio.NewReader(r)
}

// Put gives br back to the pool, which resets it before handing it out.
//
//proof:skip a helper of another package, run through app.BadPooledReply and app.GoodPooledReply
func Put(br *bufio.Reader) { readers.Put(br) } // want Put:"^conn p0 returns unread$"
