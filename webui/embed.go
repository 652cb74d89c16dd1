package webui

import (
	"embed"
	"io/fs"
)

// dist is the frontend build. The "all:" prefix keeps the folder's .keep,
// so that the package compiles before the frontend has been built.
//
//go:embed all:dist
var dist embed.FS

// Frontend returns the built index.html, or nil when the binary was built
// without the frontend.
func Frontend() []byte {
	b, err := dist.ReadFile("dist/index.html")
	if err != nil || len(b) == 0 {
		return nil
	}
	return b
}

// frontendAssets are the files the build put under dist/assets.
func frontendAssets() fs.FS {
	sub, err := fs.Sub(dist, "dist/assets")
	if err != nil {
		return nil
	}
	return sub
}
