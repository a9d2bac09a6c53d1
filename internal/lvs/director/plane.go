package director

import (
	"fmt"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/lvs"
	"github.com/gokeepalived/gokeepalived/internal/lvs/ipvsplane"
	"github.com/gokeepalived/gokeepalived/internal/lvs/nftplane"
)

// OpenPlane opens the data plane lvs_backend names: ipvs, nftables, or
// auto (IPVS when /proc/net/ip_vs exists, nftables otherwise). It fails
// closed, saying why, when that plane cannot be used. It returns the
// plane and its name.
func OpenPlane(b config.LVSBackend) (lvs.DataPlane, string, error) {
	if b == "" || b == config.BackendAuto {
		b = config.BackendNFTables
		if ipvsplane.Available() {
			b = config.BackendIPVS
		}
	}
	switch b {
	case config.BackendIPVS:
		p, err := ipvsplane.New()
		if err != nil {
			return nil, "", fmt.Errorf("lvs_backend ipvs: %w", err)
		}
		return p, "ipvs", nil
	case config.BackendNFTables:
		p, err := nftplane.New(nftplane.Config{})
		if err != nil {
			return nil, "", fmt.Errorf("lvs_backend nftables: %w", err)
		}
		return p, "nftables", nil
	}
	return nil, "", fmt.Errorf("lvs_backend %q: unknown data plane", b)
}
