package manybody

import (
	"fmt"
	"math"
	"strings"

	"github.com/qcmb-go/qcmb/qcschema"
)

// HartreeToKcalMol is QCElemental's (CODATA 2014) conversion factor.
const HartreeToKcalMol = 627.5094737775374

var bsseFormal = map[qcschema.BsseType]string{
	qcschema.BsseNoCP: "Non-Counterpoise Corrected (NoCP)",
	qcschema.BsseCP:   "Counterpoise Corrected (CP)",
	qcschema.BsseVMFC: "Valiron-Mayer Function Counterpoise (VMFC)",
}

// mcLetter is QCManyBody's ordinal model chemistry label: §A, §B, ...
func mcLetter(i int) string {
	if i < 26 {
		return "§" + string(rune('A'+i))
	}
	return fmt.Sprintf("§%d", i+1)
}

func f20(x float64) string {
	if math.IsNaN(x) {
		return fmt.Sprintf("%20s", "nan")
	}
	return fmt.Sprintf("%20.12f", x)
}

// table formats QCManyBody's print_nbody_energy tables, one per BSSE treatment.
func (c *Core) table(ebd map[qcschema.BsseType]map[int]float64) string {
	var sb strings.Builder
	mcOf := map[int]string{}
	var legend []string
	for i, m := range c.mcs {
		for _, n := range m.nbodies {
			mcOf[n] = mcLetter(i)
		}
		legend = append(legend, mcLetter(i)+": \""+qcschema.Excerpt(m.name, qcschema.ExcerptLen)+"\"")
	}
	embedded := c.embedding != nil
	ssio := c.kw.SupersystemIEOnly
	nfr := c.nfr
	for _, bt := range c.bsse {
		d := ebd[bt]
		fmt.Fprintf(&sb, "\n   ==> N-Body: %s energies <==\n\n", bsseFormal[bt])
		fmt.Fprintf(&sb, "        %15s  Total Energy            Interaction Energy                          N-body Contribution to Interaction Energy\n", "MC n-Body")
		sb.WriteString("                         [Eh]                    [Eh]                  [kcal/mol]            [Eh]                  [kcal/mol]\n")
		prev := d[1]
		tot := prev != 0
		inRange := map[int]bool{}
		maxR := 0
		if ssio {
			inRange[1], inRange[nfr] = true, true
			maxR = nfr
		} else {
			for n := range d {
				inRange[n] = true
				maxR = max(maxR, n)
			}
		}
		for nb := 1; nb <= nfr; nb++ {
			var lbl []string
			if c.ssIndex >= 0 && nb > c.maxNB {
				lbl = append(lbl, "SS")
			}
			if nb == nfr {
				lbl = append(lbl, "FULL")
			}
			if nb == maxR {
				lbl = append(lbl, "RTN")
			}
			l := strings.Join(lbl, "/")
			if c.kw.Screening != nil && !inRange[nb] && nb > maxR && nb < nfr {
				// Screened expansions are for large clusters: one line for the levels
				// beyond the expansion instead of thousands.
				if nb == maxR+1 {
					fmt.Fprintf(&sb, "  %11s %-2s %s  %-20s\n", l, "", fmt.Sprintf("%d..%d", nb, nfr-1), "N/A")
				}
				continue
			}
			if !inRange[nb] {
				fmt.Fprintf(&sb, "  %11s %-2s %2d        %-20s  %-20s  %-20s  %-20s  %-20s\n", l, "", nb, "N/A", "N/A", "N/A", "N/A", "N/A")
				continue
			}
			mcl := mcOf[nb]
			e := d[nb]
			de := e - prev
			dek := de * HartreeToKcalMol
			ie, iek := math.NaN(), math.NaN()
			if !embedded {
				ie = e - d[1]
				iek = ie * HartreeToKcalMol
			}
			switch {
			case ssio && nb == nfr:
				if tot {
					fmt.Fprintf(&sb, "  %11s %-2s %2d  %s  %s  %s        %-20s  %-20s\n", l, mcl, nb, f20(e), f20(ie), f20(iek), "N/A", "N/A")
				} else {
					fmt.Fprintf(&sb, "  %11s %-2s %2d        %-14s  %s  %s        %-20s  %-20s\n", l, mcl, nb, "N/A", f20(ie), f20(iek), "N/A", "N/A")
				}
			case tot && embedded:
				fmt.Fprintf(&sb, "  %11s %-2s %2d  %s        %-20s  %-14s  %s  %s\n", l, mcl, nb, f20(e), "N/A", "N/A", f20(de), f20(dek))
			case tot:
				fmt.Fprintf(&sb, "  %11s %-2s %2d  %s  %s  %s  %s  %s\n", l, mcl, nb, f20(e), f20(ie), f20(iek), f20(de), f20(dek))
			default:
				fmt.Fprintf(&sb, "  %11s %-2s %2d        %-14s  %s  %s  %s  %s\n", l, mcl, nb, "N/A", f20(ie), f20(iek), f20(de), f20(dek))
			}
			prev = e
		}
		fmt.Fprintf(&sb, "\n   MC Legend: %s\n\n", strings.Join(legend, ", "))
	}
	writeScreening(&sb, c.Plan().Screening)
	return sb.String()
}

// writeScreening says in a line per kind what screening kept and dropped.
func writeScreening(sb *strings.Builder, s *ScreeningSummary) {
	if s == nil {
		return
	}
	if s.Metric != "" {
		fmt.Fprintf(sb, "   Distance screening (%s):", s.Metric)
		for _, l := range s.Levels {
			fmt.Fprintf(sb, " %d-body kept %d, dropped %.0f;", l.Level, l.Kept, l.Dropped)
		}
		sb.WriteString("\n\n")
	}
	if s.Energy == nil || len(s.Energy.Levels) == 0 || s.Energy.Levels[0].Kept == nil {
		return
	}
	sb.WriteString("   Energy screening")
	if s.Energy.Estimator != "" {
		fmt.Fprintf(sb, " (estimator %s)", qcschema.Quote(s.Energy.Estimator))
	}
	sb.WriteString(":")
	for _, l := range s.Energy.Levels {
		if l.Threshold == nil {
			continue
		}
		fmt.Fprintf(sb, " %d-body threshold %.3g Eh kept %d of %d;", l.Level, *l.Threshold, *l.Kept, l.Candidates)
	}
	sb.WriteString("\n\n")
}
