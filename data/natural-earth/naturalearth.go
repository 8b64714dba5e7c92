// Package naturalearth embeds the shipped Natural Earth 1:110m country
// shapes (TopoJSON, public domain; packaging ISC, Mike Bostock's
// world-atlas 2.0.2) so that the world map needs neither the data folder
// nor the network at run time. See PROVENANCE.md beside this file.
package naturalearth

import _ "embed"

// Countries110m is countries-110m.json byte for byte (107,761 bytes,
// sha256 2516c915867c7baf18ddec727aec46c315541a07cfb3d79a6559b05d5e94eee8).
//
//go:embed countries-110m.json
var Countries110m []byte

// Credit is the suggested credit line of Natural Earth and the world-atlas
// packaging, shown under every map.
const Credit = "Made with Natural Earth (public domain), 1:110m Admin 0 – Countries 4.1.0; TopoJSON by Mike Bostock's world-atlas 2.0.2 (ISC)."
