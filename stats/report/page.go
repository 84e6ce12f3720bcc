package report

// pageHTML is the template of the HTML report; it uses no external resource.
const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --bg: #f5f7fa; --accent: #0072b2; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 "Liberation Sans", "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
header { background: #102a43; color: #fff; padding: 20px 32px; }
header h1 { margin: 0; font-size: 22px; font-weight: 600; }
header p { margin: 4px 0 0; color: #bcccdc; font-size: 13px; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; margin-bottom: 16px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; }
.card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .v { font-size: 24px; font-weight: 600; margin-top: 2px; }
.card .s { color: var(--muted); font-size: 12px; }
.basis { background: #fff; border-left: 4px solid var(--accent); padding: 10px 16px; margin: 0 0 24px; color: var(--ink); }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 16px 20px; margin-bottom: 20px; }
section h2 { font-size: 17px; margin: 0 0 4px; }
section p.cap { color: var(--muted); margin: 0 0 12px; font-size: 13px; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 20px; }
figure { margin: 0; text-align: center; }
table { border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th { color: var(--muted); font-weight: 600; background: #f0f4f8; }
td.l, th.l { text-align: left; }
td.label { text-align: left; font-family: "Liberation Mono", Menlo, monospace; font-size: 12px; white-space: normal; }
tr.total td { font-weight: 600; }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 24px; }
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<p>{{.R.Tasks}} tasks on {{.R.Workers}} workers · generated {{.Generated}} by qcmb</p>
</header>
<main>
<div class="cards">
<div class="card"><div class="k">Wall time</div><div class="v">{{call .Dur .R.Wall}}</div><div class="s">critical-path bound {{call .Dur .R.Critical.LowerBound}}</div></div>
<div class="card"><div class="k">Speedup</div><div class="v">{{f2 .R.Speedup}}×</div><div class="s">{{ref .R.SpeedupReference}} · efficiency {{printf "%.0f" (mulf .R.Efficiency)}}%</div></div>
<div class="card"><div class="k">Tasks</div><div class="v">{{.R.Tasks}}</div><div class="s">{{.R.Failed}} failed · {{.R.Retries}} retries · {{.R.Reused}} reused</div></div>
<div class="card"><div class="k">Serial estimate</div><div class="v">{{call .Dur .R.SerialEstimate}}</div><div class="s">sum of task times {{call .Dur .R.SerialBaseline}}</div></div>
<div class="card"><div class="k">Longest task</div><div class="v">{{call .Dur .R.Longest.Duration}}</div><div class="s">{{.R.Longest.Label}} · measured</div></div>
</div>
<p class="basis"><strong>Speedup basis.</strong> {{.R.SpeedupBasis}}</p>
{{range .Figures}}{{if eq .Name "timeline" "speedup" "durations"}}
<section id="{{.Name}}">
<h2>{{.Title}}</h2>
<p class="cap">{{.Caption}}</p>
<figure>{{.SVG}}</figure>
</section>
{{end}}{{end}}
<section id="time">
<h2>Where the time goes</h2>
<div class="grid2">
{{range .Figures}}{{if eq .Name "levels" "model-chemistries"}}<figure>{{.SVG}}<p class="cap">{{.Caption}}</p></figure>{{end}}{{end}}
</div>
</section>
{{if .R.CriticalByLevel}}
<section id="critical-path">
<h2>Critical path</h2>
<p class="cap">No schedule finishes a set of tasks on N workers faster than max(longest task, work / N). Work and longest use each task's estimated serial time; span is the observed first start to last end.</p>
<table>
<tr><th class="l">level</th><th>tasks</th><th>work</th><th>longest</th><th>bound on {{.R.Workers}} workers</th><th>observed span</th><th class="l">longest task</th></tr>
{{range .R.CriticalByLevel}}<tr><td class="l">{{.Level}}-body</td><td>{{.Tasks}}</td><td>{{call $.Dur .Work}}</td><td>{{call $.Dur .LongestTime}}</td><td>{{call $.Dur .LowerBound}}</td><td>{{call $.Dur .Span}}</td><td class="label">{{.Longest}}</td></tr>
{{end}}{{with .R.Critical}}<tr class="total"><td class="l">all</td><td>{{.Tasks}}</td><td>{{call $.Dur .Work}}</td><td>{{call $.Dur .LongestTime}}</td><td>{{call $.Dur .LowerBound}}</td><td>{{call $.Dur .Span}}</td><td class="label">{{.Longest}}</td></tr>{{end}}
</table>
</section>
{{end}}
{{if .R.Idle}}
<section id="idle">
<h2>Worker time</h2>
<p class="cap">Each worker's share of the wall time: busy on tasks, or idle during start-up, at the end waiting for the last tasks elsewhere (tail), or between tasks (gaps).</p>
<table>
<tr><th class="l">worker</th><th>busy</th><th>idle</th><th>start-up</th><th>tail</th><th>gaps</th><th>busy share</th></tr>
{{range .R.Idle}}<tr><td class="l">{{.Worker}}</td><td>{{call $.Dur .Busy}}</td><td>{{call $.Dur .Idle}}</td><td>{{call $.Dur .Startup}}</td><td>{{call $.Dur .Tail}}</td><td>{{call $.Dur .Gaps}}</td><td>{{pct .Busy $.R.Wall}}</td></tr>
{{end}}{{with .IdleSum}}<tr class="total"><td class="l">all</td><td>{{call $.Dur .Busy}}</td><td>{{call $.Dur .Idle}}</td><td>{{call $.Dur .Startup}}</td><td>{{call $.Dur .Tail}}</td><td>{{call $.Dur .Gaps}}</td><td></td></tr>{{end}}
</table>
</section>
{{end}}
{{if .R.Predictions}}
<section id="predictions">
<h2>Predicted makespan</h2>
<p class="cap">The same tasks list-scheduled largest first on more or fewer workers, assuming each worker has the cores its tasks ask for; the last columns schedule each n-body level's tasks alone.</p>
<table>
<tr><th class="l">workers</th><th>makespan</th><th>lower bound</th><th>speedup</th>{{range .R.CriticalByLevel}}<th>{{.Level}}-body alone</th>{{end}}</tr>
{{range $i, $p := .R.Predictions}}<tr><td class="l">{{.Workers}}</td><td>{{call $.Dur .Makespan}}</td><td>{{call $.Dur .LowerBound}}</td><td>{{f2 .Speedup}}</td>{{range $.R.CriticalByLevel}}<td>{{predAt . $i}}</td>{{end}}</tr>
{{end}}
</table>
</section>
{{end}}
{{if .R.Levels}}
<section id="levels">
<h2>Task durations</h2>
<table>
<tr><th class="l">level</th><th>tasks</th><th>failed</th><th>total</th><th>min</th><th>mean</th><th>p50</th><th>p95</th><th>max</th></tr>
{{range .R.Levels}}<tr><td class="l">{{.Level}}-body</td><td>{{.Count}}</td><td>{{.Failed}}</td><td>{{call $.Dur .Total}}</td><td>{{call $.Dur .Min}}</td><td>{{call $.Dur .Mean}}</td><td>{{call $.Dur .P50}}</td><td>{{call $.Dur .P95}}</td><td>{{call $.Dur .Max}}</td></tr>
{{end}}
</table>
<br>
<table>
<tr><th class="l">model chemistry</th><th>tasks</th><th>failed</th><th>total</th><th>min</th><th>mean</th><th>p50</th><th>p95</th><th>max</th></tr>
{{range .R.ByMC}}<tr><td class="l">{{.MC}}</td><td>{{.Count}}</td><td>{{.Failed}}</td><td>{{call $.Dur .Total}}</td><td>{{call $.Dur .Min}}</td><td>{{call $.Dur .Mean}}</td><td>{{call $.Dur .P50}}</td><td>{{call $.Dur .P95}}</td><td>{{call $.Dur .Max}}</td></tr>
{{end}}
</table>
</section>
{{end}}
<footer>qcmb · many-body expansion run report</footer>
</main>
</body>
</html>
`
