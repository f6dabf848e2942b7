package main

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// The plot's geometry, in SVG user units.
const (
	plotWidth  = 900
	panelH     = 300
	marginL    = 230
	marginR    = 30
	marginTop  = 40
	marginBot  = 50
	maxNines   = 4 // the percentile axis ends at 99.99 %
	curvePoint = 200
)

// palette colours the targets, in specs order.
var palette = []string{"#7f7f7f", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#17becf", "#ff7f0e", "#8c564b", "#e377c2"}

// plot draws CPU per request (non-streaming, 32 connections) and the
// latency percentile curves of both non-streaming scenarios, as SVG.
func (r *report) plot() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n",
		plotWidth, 3*panelH)
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	r.cpuBars(&b, 0)
	r.percentiles(&b, panelH, "chat-32", "Latency by percentile, non-streaming, 32 connections")
	r.percentiles(&b, 2*panelH, "chat-1", "Latency by percentile, non-streaming, 1 connection")
	b.WriteString("</svg>\n")
	return []byte(b.String())
}

// colour returns the colour of a target.
func colour(id string) string {
	for i, s := range specs {
		if s.id == id {
			return palette[i%len(palette)]
		}
	}
	return "black"
}

func (r *report) cpuBars(b *strings.Builder, top int) {
	sc := scenarios[0]
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="14" font-weight="bold">CPU per request, non-streaming, 32 connections (µs)</text>`+"\n", 10, top+20)
	var most time.Duration
	for _, id := range sc.targets {
		c := r.load.cells[sc.id][id]
		most = max(most, c.perRequest(c.cpu))
	}
	scale := niceCeil(us(most))
	x0, x1 := float64(marginL), float64(plotWidth-marginR)
	rowH := float64(panelH-marginTop-marginBot) / float64(len(sc.targets))
	for i, id := range sc.targets {
		c := r.load.cells[sc.id][id]
		v := us(c.perRequest(c.cpu))
		y := float64(top+marginTop) + float64(i)*rowH
		w := (x1 - x0) * v / scale
		fmt.Fprintf(b, `<text x="%.0f" y="%.1f" text-anchor="end">%s</text>`+"\n", x0-8, y+rowH*0.65, escape(r.load.targets[id].label))
		fmt.Fprintf(b, `<rect x="%.0f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`+"\n", x0, y+rowH*0.15, w, rowH*0.7, colour(id))
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f">%.1f</text>`+"\n", x0+w+4, y+rowH*0.65, v)
	}
	axisY := float64(top + panelH - marginBot)
	fmt.Fprintf(b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="black"/>`+"\n", x0, axisY, x1, axisY)
	for _, t := range ticks(scale) {
		x := x0 + (x1-x0)*t/scale
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="black"/><text x="%.1f" y="%.0f" text-anchor="middle">%g</text>`+"\n",
			x, axisY, x, axisY+4, x, axisY+18, t)
	}
}

// percentiles draws latency against percentile, one curve per main
// target of the scenario, both axes logarithmic: the percentile as
// 1/(1-q), as HdrHistogram plots do, the latency in decades, so that a
// 100 µs median and a 100 ms tail fit one plot.
func (r *report) percentiles(b *strings.Builder, top int, scID, title string) {
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="14" font-weight="bold">%s (µs, log scale)</text>`+"\n", 10, top+20, escape(title))
	cells := r.load.cells[scID]
	q := func(x float64) float64 { return 1 - math.Pow(10, -x) }
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, id := range main5 {
		lo = min(lo, math.Floor(math.Log10(max(us(cells[id].latency.Quantile(0)), 1))))
		hi = max(hi, math.Ceil(math.Log10(max(us(cells[id].latency.Quantile(q(maxNines))), 1))))
	}
	hi = max(hi, lo+1)
	x0, x1 := float64(marginL), float64(plotWidth-marginR)
	y0, y1 := float64(top+panelH-marginBot), float64(top+marginTop)
	yOf := func(v float64) float64 { return y0 - (y0-y1)*(math.Log10(max(v, 1))-lo)/(hi-lo) }
	for d := lo; d <= hi; d++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, d)
			if d == hi && m > 1 {
				break
			}
			y := yOf(v)
			fmt.Fprintf(b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#ddd"/><text x="%.0f" y="%.1f" text-anchor="end">%g</text>`+"\n",
				x0, y, x1, y, x0-6, y+4, v)
		}
	}
	for n := 0; n <= maxNines; n++ {
		x := x0 + (x1-x0)*float64(n)/maxNines
		label := strings.TrimSuffix(fmt.Sprintf("%.*f", max(n-2, 0), 100*q(float64(n))), ".") + " %"
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#ddd"/><text x="%.1f" y="%.0f" text-anchor="middle">%s</text>`+"\n",
			x, y0, x, y1, x, y0+18, label)
	}
	for i, id := range main5 {
		var pts []string
		for k := 0; k <= curvePoint; k++ {
			x := maxNines * float64(k) / curvePoint
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x0+(x1-x0)*x/maxNines, yOf(us(cells[id].latency.Quantile(q(x))))))
		}
		fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", colour(id), strings.Join(pts, " "))
		ly := y1 + 12 + float64(i)*15
		fmt.Fprintf(b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="%s" stroke-width="3"/><text x="%.0f" y="%.0f">%s</text>`+"\n",
			x0+10, ly, x0+30, ly, colour(id), x0+35, ly+4, escape(r.load.targets[id].label))
	}
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// ticks returns five evenly spaced ticks from 0 to scale.
func ticks(scale float64) []float64 {
	out := make([]float64, 0, 6)
	for i := range 6 {
		out = append(out, scale*float64(i)/5)
	}
	return out
}

// escape escapes text for SVG.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
