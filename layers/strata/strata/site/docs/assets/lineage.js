// The lineage page: the graph embedded in the page (#lineage-data) drawn with Cytoscape.js.
// Only the part on screen is turned into elements: the whole graph when it is small, else the
// focused node with everything upstream and downstream of it (to the chosen depth). Columns
// (rank) and places in them (order) are computed by the docs build, so no layout runs here.
(function () {
  "use strict";
  var FULL_LIMIT = 150;
  var X_GAP = 200;
  var Y_GAP = 58;
  var MAX_RESULTS = 15;
  var COLORS = {
    source: "#2563eb", raw: "#64748b", cleansed: "#0891b2", stage: "#7c3aed",
    analytics: "#16a34a", adhoc: "#ca8a04", model: "#9333ea", reports: "#475569",
    dashboard: "#dc2626"
  };
  var SHAPES = {
    source: "round-rectangle", raw: "barrel", cleansed: "rectangle", reports: "hexagon",
    dashboard: "diamond"
  };

  var data = JSON.parse(document.getElementById("lineage-data").textContent);
  var byId = {};
  var ups = {};
  var downs = {};
  data.nodes.forEach(function (node) { byId[node.id] = node; ups[node.id] = []; downs[node.id] = []; });
  data.edges.forEach(function (edge) {
    downs[edge.source].push(edge.target);
    ups[edge.target].push(edge.source);
  });

  var search = document.getElementById("lineage-search");
  var depthChoice = document.getElementById("lineage-depth");
  var results = document.getElementById("lineage-results");
  var status = document.getElementById("lineage-status");
  var state = { focus: null, depth: Infinity };

  var style = [
    { selector: "node", style: {
      "label": "data(label)", "font-size": 11, "text-valign": "bottom", "text-margin-y": 4,
      "text-wrap": "ellipsis", "text-max-width": "200px", "width": 22, "height": 22,
      "background-color": "#9ca3af", "color": "#1f2937"
    } },
    { selector: "edge", style: {
      "curve-style": "bezier", "target-arrow-shape": "triangle", "width": 1.4,
      "line-color": "#a3aab5", "target-arrow-color": "#a3aab5", "arrow-scale": 0.8
    } },
    { selector: "node.focus", style: { "border-width": 4, "border-color": "#111827" } },
    { selector: "node.match", style: { "border-width": 4, "border-color": "#f59e0b" } },
    { selector: ".faded", style: { "opacity": 0.2 } },
    { selector: "edge.near", style: { "line-color": "#334155", "target-arrow-color": "#334155", "width": 2.2 } }
  ];
  Object.keys(COLORS).forEach(function (kind) {
    style.push({ selector: 'node[kind = "' + kind + '"]', style: {
      "background-color": COLORS[kind], "shape": SHAPES[kind] || "ellipse"
    } });
  });

  var cy = cytoscape({
    container: document.getElementById("lineage-graph"),
    elements: [],
    style: style,
    layout: { name: "preset" },
    minZoom: 0.05,
    maxZoom: 3,
    autoungrabify: true,
    boxSelectionEnabled: false
  });

  function walk(start, neighbours, depth) {
    var seen = {};
    var frontier = [start];
    for (var level = 0; level < depth && frontier.length; level++) {
      var next = [];
      frontier.forEach(function (id) {
        neighbours[id].forEach(function (other) {
          if (!seen[other]) { seen[other] = true; next.push(other); }
        });
      });
      frontier = next;
    }
    return Object.keys(seen);
  }

  function visibleIds() {
    if (!state.focus) { return data.nodes.map(function (node) { return node.id; }); }
    var ids = {};
    ids[state.focus] = true;
    walk(state.focus, ups, state.depth).concat(walk(state.focus, downs, state.depth))
      .forEach(function (id) { ids[id] = true; });
    return Object.keys(ids);
  }

  function elementsFor(ids) {
    var shown = {};
    ids.forEach(function (id) { shown[id] = true; });
    var ranks = {};
    ids.forEach(function (id) { ranks[byId[id].rank] = true; });
    var columnOf = {};
    Object.keys(ranks).map(Number).sort(function (a, b) { return a - b; })
      .forEach(function (rank, index) { columnOf[rank] = index; });
    var columns = {};
    ids.forEach(function (id) { (columns[byId[id].rank] = columns[byId[id].rank] || []).push(byId[id]); });
    var elements = [];
    Object.keys(columns).forEach(function (rank) {
      var column = columns[rank].sort(function (a, b) { return a.order - b.order; });
      column.forEach(function (node, index) {
        elements.push({ group: "nodes", data: { id: node.id, label: node.label, kind: node.kind, href: node.href },
          position: { x: columnOf[rank] * X_GAP, y: (index - (column.length - 1) / 2) * Y_GAP } });
      });
    });
    data.edges.forEach(function (edge, index) {
      if (shown[edge.source] && shown[edge.target]) {
        elements.push({ group: "edges", data: { id: "e" + index, source: edge.source, target: edge.target } });
      }
    });
    return elements;
  }

  function draw(note) {
    var ids = visibleIds();
    // The results list above the graph may have just opened or closed: the graph's box moved,
    // and Cytoscape must measure it again or clicks land beside the nodes.
    cy.resize();
    cy.batch(function () {
      cy.elements().remove();
      cy.add(elementsFor(ids));
      if (state.focus) { cy.getElementById(state.focus).addClass("focus"); }
    });
    cy.fit(undefined, 30);
    var focus = state.focus ? byId[state.focus].label + " (" + byId[state.focus].kind + "): " : "";
    status.textContent = (note || focus) + ids.length + " of " + data.nodes.length + " nodes shown";
    highlight();
  }

  function focusOn(id, note) {
    if (!byId[id]) { return; }
    state.focus = id;
    var hash = "#focus=" + encodeURIComponent(id).replace(/%3A/g, ":");
    if (window.location.hash !== hash) { window.history.replaceState(null, "", hash); }
    results.hidden = true;
    draw(note);
  }

  function showAll() {
    state.focus = null;
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    draw();
  }

  function matches(query) {
    if (!query) { return []; }
    return data.nodes.filter(function (node) {
      return (node.label + " " + node.id + " " + node.detail).toLowerCase().indexOf(query) !== -1;
    });
  }

  function highlight() {
    var query = search.value.trim().toLowerCase();
    var found = {};
    matches(query).forEach(function (node) { found[node.id] = true; });
    cy.batch(function () {
      cy.nodes().forEach(function (node) {
        node.toggleClass("match", Boolean(query) && Boolean(found[node.id()]));
        node.toggleClass("faded", Boolean(query) && !found[node.id()]);
      });
    });
  }

  function listResults() {
    var query = search.value.trim().toLowerCase();
    var found = matches(query);
    results.innerHTML = "";
    found.slice(0, MAX_RESULTS).forEach(function (node) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "kind-" + node.kind;
      button.textContent = node.label + " · " + node.kind;
      button.addEventListener("click", function () { focusOn(node.id); });
      item.appendChild(button);
      results.appendChild(item);
    });
    if (found.length > MAX_RESULTS) {
      var more = document.createElement("li");
      more.textContent = (found.length - MAX_RESULTS) + " more: type more of the name";
      results.appendChild(more);
    }
    results.hidden = !query;
    if (query && !found.length) { results.innerHTML = "<li>Nothing matches.</li>"; }
    cy.resize();
    highlight();
  }

  function fromHash() {
    var match = /^#focus=(.+)$/.exec(window.location.hash);
    return match ? decodeURIComponent(match[1]) : null;
  }

  cy.on("tap", "node", function (event) { window.location.href = event.target.data("href"); });
  cy.on("mouseover", "node", function (event) { event.target.connectedEdges().addClass("near"); });
  cy.on("mouseout", "node", function (event) { event.target.connectedEdges().removeClass("near"); });
  search.addEventListener("input", listResults);
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      var found = matches(search.value.trim().toLowerCase());
      if (found.length) { focusOn(found[0].id); }
    }
  });
  depthChoice.addEventListener("change", function () {
    state.depth = depthChoice.value === "all" ? Infinity : Number(depthChoice.value);
    draw();
  });
  document.getElementById("lineage-all").addEventListener("click", showAll);
  window.addEventListener("hashchange", function () { var id = fromHash(); if (id) { focusOn(id); } });

  var start = fromHash();
  if (start && byId[start]) {
    focusOn(start);
  } else if (data.nodes.length <= FULL_LIMIT) {
    draw();
  } else {
    var first = data.nodes.filter(function (node) { return node.kind === "source"; })
      .sort(function (a, b) { return a.label < b.label ? -1 : 1; })[0] || data.nodes[0];
    focusOn(first.id, data.nodes.length + " nodes: showing the lineage of " + first.label +
      "; search for another node. ");
  }

  // For the browser tests and the curious: the graph on screen and how to move around it.
  window.strataLineage = {
    cy: cy,
    focus: focusOn,
    showAll: showAll,
    shown: function () { return cy.nodes().map(function (node) { return node.id(); }); }
  };
})();
