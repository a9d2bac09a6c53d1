package cli

// Suggest returns the candidate closest to word, or "" when none is close
// enough to be what was meant: an edit distance (insertions, deletions,
// substitutions and swaps of neighbours) of at most a third of word's
// length, at least 1, or a candidate that word is a prefix of (at least
// three characters). Ties go to the earlier candidate.
func Suggest(word string, candidates []string) string {
	if word == "" {
		return ""
	}
	best, bestDist := "", max(1, len(word)/3)+1
	for _, c := range candidates {
		if c == word {
			return ""
		}
		d := distance(word, c)
		if len(word) >= 3 && len(c) > len(word) && c[:len(word)] == word {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// distance is the optimal string alignment distance between a and b
// (Levenshtein plus transposition of adjacent bytes).
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return max(len(a), len(b)) // long words are never typos of each other here
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
