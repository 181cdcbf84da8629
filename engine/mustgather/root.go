package mustgather

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// Flavor tells which tool wrote a bundle.
type Flavor string

const (
	// FlavorMig is a kubectl-mig bundle: manifest.json at the root,
	// clusters/<c>/ trees.
	FlavorMig Flavor = "kubectl-mig"
	// FlavorMustGather is the MTC must-gather image's output: clusters/<c>/
	// trees without our manifest.
	FlavorMustGather Flavor = "must-gather"
	// FlavorInspect is a plain `oc adm inspect` directory: one cluster tree
	// (namespaces/, cluster-scoped-resources/) at the root.
	FlavorInspect Flavor = "inspect"
)

// Root is where the bundle starts among the entry names of an archive or a
// directory walk, and how to find each cluster tree in it.
type Root struct {
	// Prefix is the path of the bundle root ("" or e.g. "must-gather").
	Prefix string
	Flavor Flavor
	// Clusters are the cluster names; an inspect bundle has one cluster
	// named "" whose tree is the root itself.
	Clusters []string
}

// ClusterPath returns the path of rel inside cluster's tree, including the
// prefix: what to look up among the entry names.
func (r Root) ClusterPath(cluster, rel string) string {
	if r.Flavor == FlavorInspect {
		return path.Join(r.Prefix, rel)
	}
	return path.Join(r.Prefix, InCluster(cluster, rel))
}

// Path returns the path of a root-relative bundle path, including the prefix.
func (r Root) Path(rel string) string { return path.Join(r.Prefix, rel) }

// CleanEntry validates an entry name read from an archive: relative, no "..",
// no empty result. Readers must use it before touching the file system or
// trusting a path taken from someone else's bundle.
func CleanEntry(name string) (string, error) {
	name = strings.TrimPrefix(strings.ReplaceAll(name, "\\", "/"), "./")
	if name == "" || strings.HasPrefix(name, "/") {
		return "", fmt.Errorf("bundle entry %q: not a relative path", name)
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == ".." {
			return "", fmt.Errorf("bundle entry %q: leaves the bundle root", name)
		}
	}
	clean := path.Clean(name)
	if clean == "." {
		return "", fmt.Errorf("bundle entry %q: empty", name)
	}
	return clean, nil
}

// DetectRoot finds the bundle root among cleaned entry names (files, and
// directories if the source lists them). It prefers, shallowest first, a
// directory holding manifest.json and clusters/ (ours), then one holding
// clusters/ (MTC must-gather), then one holding namespaces/ or
// cluster-scoped-resources/ (oc adm inspect).
func DetectRoot(names []string) (Root, error) {
	best := Root{}
	bestDepth, bestRank := -1, 0
	consider := func(prefix string, rank int) {
		depth := strings.Count(prefix, "/")
		if prefix != "" {
			depth++
		}
		if bestDepth < 0 || rank > bestRank || (rank == bestRank && depth < bestDepth) {
			best.Prefix, bestDepth, bestRank = prefix, depth, rank
		}
	}
	manifests := map[string]bool{}
	for _, n := range names {
		if path.Base(n) == ManifestFile {
			manifests[parent(n)] = true
		}
	}
	for _, n := range names {
		prefix, marker, ok := splitAtMarker(n)
		if !ok {
			continue
		}
		switch {
		case marker == ClustersDir && manifests[prefix]:
			consider(prefix, 3)
		case marker == ClustersDir:
			consider(prefix, 2)
		default:
			consider(prefix, 1)
		}
	}
	if bestDepth < 0 {
		return Root{}, fmt.Errorf("not a must-gather bundle: no clusters/, namespaces/ or cluster-scoped-resources/ directory found")
	}
	switch bestRank {
	case 3:
		best.Flavor = FlavorMig
	case 2:
		best.Flavor = FlavorMustGather
	default:
		best.Flavor = FlavorInspect
		best.Clusters = []string{""}
		return best, nil
	}
	best.Clusters = clusterNames(names, best.Prefix)
	return best, nil
}

// splitAtMarker returns the directory before the first clusters/,
// namespaces/ or cluster-scoped-resources/ segment of name. The marker must
// have something below it (a bare "clusters" file or directory does not
// count), and a marker found under clusters/ belongs to that cluster.
func splitAtMarker(name string) (prefix, marker string, ok bool) {
	segs := strings.Split(name, "/")
	for i := 0; i < len(segs)-1; i++ {
		switch segs[i] {
		case ClustersDir:
			if i+2 < len(segs) || (i+1 < len(segs) && segs[i+1] != "") {
				return strings.Join(segs[:i], "/"), ClustersDir, true
			}
		case NamespacesDir, ClusterScopedDir:
			return strings.Join(segs[:i], "/"), segs[i], true
		}
	}
	return "", "", false
}

func clusterNames(names []string, prefix string) []string {
	base := ClustersDir + "/"
	if prefix != "" {
		base = prefix + "/" + base
	}
	seen := map[string]bool{}
	for _, n := range names {
		rest, ok := strings.CutPrefix(n, base)
		if !ok {
			continue
		}
		c, _, _ := strings.Cut(rest, "/")
		if c != "" {
			seen[c] = true
		}
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

func parent(p string) string {
	d := path.Dir(p)
	if d == "." {
		return ""
	}
	return d
}
