// creditbot dashboard: draws the charts page from /api/charts with Chart.js (Debian's libjs-chart.js,
// embedded in the binary and served at /static/chart.min.js). Each chart also fills a data table, so the
// numbers are readable without the canvas. No other page needs script.
'use strict';

(function () {
  const charts = {};
  // One colour per series (Chart.js 3 draws every series grey without them).
  const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'];
  const kinds = {
    weekly: 'bar',
    by_country: 'bar',
    by_mcc: 'bar',
    by_mode: 'bar',
    reply_hours: 'bar',
    decide_hours: 'bar',
  };

  function fillTable(id, series) {
    const table = document.getElementById('table-' + id);
    if (!table) return;
    while (table.rows.length > 0) table.deleteRow(0);
    const names = Object.keys(series.values);
    const head = table.createTHead().insertRow();
    const corner = document.createElement('th');
    corner.scope = 'col';
    corner.textContent = '';
    head.appendChild(corner);
    for (const name of names) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = name;
      head.appendChild(th);
    }
    const body = table.tBodies.length ? table.tBodies[0] : table.createTBody();
    series.labels.forEach(function (label, i) {
      const row = body.insertRow();
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = label;
      row.appendChild(th);
      for (const name of names) row.insertCell().textContent = String(series.values[name][i]);
    });
  }

  function draw(data) {
    for (const id of Object.keys(kinds)) {
      const series = data[id];
      fillTable(id, series);
      const canvas = document.getElementById('chart-' + id);
      if (!canvas || typeof Chart === 'undefined') continue;
      const datasets = Object.keys(series.values).map(function (name, i) {
        const colour = palette[i % palette.length];
        return { label: name, data: series.values[name], backgroundColor: colour, borderColor: colour };
      });
      if (charts[id]) charts[id].destroy();
      charts[id] = new Chart(canvas, {
        type: kinds[id],
        data: { labels: series.labels, datasets: datasets },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          scales: { y: { beginAtZero: true } },
        },
      });
    }
  }

  function load() {
    const form = document.getElementById('chart-filter');
    const params = new URLSearchParams();
    for (const name of ['since', 'until']) {
      const value = form.elements[name].value;
      if (value) params.set(name, value);
    }
    const status = document.getElementById('chart-status');
    status.textContent = 'Loading…';
    fetch('/api/charts?' + params.toString(), { credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (data) {
        window.creditbotChartData = data;
        draw(data);
        status.textContent = data.entries + ' ledger entries' +
          (data.no_breakdown ? ' (' + data.no_breakdown +
            ' recorded before country and mode were kept: left out of those two)' : '');
        document.body.dataset.chartsLoaded = 'true';
      })
      .catch(function (error) {
        status.textContent = 'The chart data could not be loaded: ' + error.message;
      });
  }

  document.getElementById('chart-filter').addEventListener('submit', function (event) {
    event.preventDefault();
    load();
  });
  load();
})();
