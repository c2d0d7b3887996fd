// Package bridge lets packages inside the module (the RESP server,
// persistence) reach a public *kevy.Store's engine without the public API
// exposing internal types. The root package sets EngineOf in its init.
package bridge

import "github.com/kevy-go/kevy/internal/engine"

// EngineOf returns the engine behind a *kevy.Store (passed as any to avoid
// an import cycle). It is set by package kevy.
var EngineOf func(store any) *engine.Engine
