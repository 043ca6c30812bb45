package analyzer

// SetShareSSA turns ShareSSA on or off, for the tests that run the rules
// both ways.
func SetShareSSA(on bool) { shareSSA.Store(on) }
