"""The HTML page of `report.html` (a `string.Template`; every inserted value is escaped by report.py)."""

from string import Template

PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>SafeText evaluation: $title</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
th:first-child, td:first-child, td.text { text-align: left; }
td { white-space: nowrap; } td.text { white-space: normal; }
thead th { background: #f3f5f7; }
.meta { color: #555; font-size: 0.9em; }
.note { background: #fff8e1; padding: 0.5em 1em; border-left: 4px solid #f0c040; }
.plots img { max-width: 100%; margin: 0.5em 0; }
table.grid td { vertical-align: middle; }
table.grid img { image-rendering: pixelated; display: block; }
figure.cell { margin: 0; text-align: center; font-size: 0.75em; }
figure.cell.flagged img { outline: 3px solid #c0392b; }
code { background: #f3f5f7; padding: 0 0.2em; }
</style>
</head>
<body>
<h1>SafeText evaluation</h1>
<p class="meta">$meta</p>
$notes
<h2 id="summary">Summary</h2>
$summary
<h2 id="safety">Safety</h2>
$safety
<h2 id="utility">Utility on safe prompts</h2>
$utility
<h2 id="embedding">Embedding metrics</h2>
$embedding
<h2 id="plots">Plots</h2>
<div class="plots">$plots</div>
<h2 id="images">Images: base vs aligned, same prompt and seed</h2>
$grids
<h2 id="definitions">Definitions</h2>
$definitions
<h2 id="config">Configuration and versions</h2>
<details><summary>config, versions, timing</summary><pre>$config</pre></details>
</body>
</html>
""")
