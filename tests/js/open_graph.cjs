// Open a graph.json as graphology (Gephi Lite's loader) and Cytoscape.js do, and print
// what each of them holds, as JSON: node ids, labels and weights, in their own order.
"use strict";
const fs = require("fs");
const Graph = require("graphology");
const cytoscape = require("cytoscape");

const data = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const g = Graph.from(data);
const cy = cytoscape({ headless: true, elements: data.elements });
const added = cytoscape({ headless: true });
added.add(data.elements);
console.log(JSON.stringify({
  graphology: {
    type: g.type,
    attributes: g.getAttributes(),
    nodes: g.mapNodes((key, attrs) => [key, attrs]),
    edges: g.mapEdges((key, attrs, source, target) => [source, target, attrs]),
  },
  cytoscape: {
    nodes: cy.nodes().map((n) => [n.id(), n.data()]),
    edges: cy.edges().map((e) => [e.source().id(), e.target().id(), e.data()]),
    added: added.elements().length,
  },
}));
