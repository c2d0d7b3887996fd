package kevy

import (
	"github.com/kevy-go/kevy/internal/bridge"
	"github.com/kevy-go/kevy/internal/engine"
)

func init() {
	bridge.EngineOf = func(store any) *engine.Engine { return store.(*Store).en }
}
