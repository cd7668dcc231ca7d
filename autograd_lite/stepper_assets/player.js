// The step_through player: shows the steps that Python recorded from a real backward pass.
// It computes no number: every value it shows comes from the recording. No network use.
(function () {
  "use strict";
  var root = document.getElementById("PLAYER_ID");
  if (!root || root.getAttribute("data-ready")) return;
  root.setAttribute("data-ready", "1");
  var data = JSON.parse(document.getElementById("PLAYER_ID-data").textContent);
  var steps = data.steps, last = steps.length - 1, current = 0, timer = null;
  var panel = root.querySelector('[data-role="panel"]');
  var counter = root.querySelector('[data-role="counter"]');
  var buttons = {};
  ["reset", "prev", "play", "next"].forEach(function (r) {
    buttons[r] = root.querySelector('[data-role="' + r + '"]');
  });
  var SVGNS = "http://www.w3.org/2000/svg";
  var nodes = {}, edges = [], badges = {};
  Array.prototype.forEach.call(root.querySelectorAll("g.node"), function (g) {
    var t = g.querySelector("title");
    if (t) nodes[t.textContent.trim()] = g;
  });
  Array.prototype.forEach.call(root.querySelectorAll("g.edge"), function (g) {
    var t = g.querySelector("title");
    if (!t) return;
    var ends = t.textContent.split("->");
    if (ends.length === 2) edges.push({ from: ends[0].trim(), to: ends[1].trim(), el: g });
  });

  function badge(id) {  // a line of text under a node, made when first needed
    if (badges[id] !== undefined) return badges[id];
    var g = nodes[id], shape = g && g.querySelector("polygon, path, ellipse");
    badges[id] = null;
    if (!shape) return null;
    try {
      var box = shape.getBBox();
      var text = document.createElementNS(SVGNS, "text");
      text.setAttribute("x", box.x + box.width / 2);
      text.setAttribute("y", box.y + box.height + 10);
      text.setAttribute("text-anchor", "middle");
      text.setAttribute("class", "agl-badge");
      g.appendChild(text);
      badges[id] = text;
    } catch (e) { /* not laid out (hidden): no badge */ }
    return badges[id];
  }

  function add(parent, tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    parent.appendChild(e);
    return e;
  }

  function row(table, label, value, extra) {
    var tr = add(table, "tr");
    add(tr, "td", "", label);
    var td = add(tr, "td", "agl-num", value);
    if (extra) Object.keys(extra).forEach(function (k) { td.setAttribute(k, extra[k]); });
    return td;
  }

  function firstLine(text) {
    var line = text.split("\n")[0];
    return line.length > 48 ? line.slice(0, 47) + "…" : line;
  }

  function markGraph(step) {
    Object.keys(nodes).forEach(function (k) {
      nodes[k].classList.remove("agl-current", "agl-target", "agl-done");
    });
    edges.forEach(function (e) { e.el.classList.remove("agl-flow"); });
    // Gradients known so far: replay the recorded steps up to this one.
    var known = {};
    for (var i = 1; i <= current; i++) {
      var s = steps[i];
      if (s.phase !== "backward") continue;
      known[s.node] = { text: "grad " + firstLine(s.upstream.text), partial: false };
      (s.sends || []).forEach(function (d) {
        if (!known[d.to] || known[d.to].partial) {
          known[d.to] = { text: (d.count < d.of ? "sum so far " : "grad ") +
                          firstLine(d.sum.text) + (d.of > 1 ? " (" + d.count + " of " + d.of +
                          ")" : ""), partial: true };
        }
      });
      if (i < current) {
        var g = nodes[s.node];
        if (g) g.classList.add("agl-done");
      }
    }
    Object.keys(nodes).forEach(function (id) {
      var k = known[id], b = k ? badge(id) : badges[id];
      if (!b) return;
      b.textContent = k ? k.text : "";
      b.setAttribute("class", "agl-badge" + (k && k.partial ? " agl-partial" : ""));
    });
    if (step.node && nodes[step.node]) {
      nodes[step.node].classList.add("agl-current");
      reveal(nodes[step.node]);
    }
    if (step.phase === "backward") {
      (step.sends || []).forEach(function (d) {
        if (nodes[d.to]) nodes[d.to].classList.add("agl-target");
        edges.forEach(function (e) {
          if (e.from === d.to && e.to === step.node) e.el.classList.add("agl-flow");
        });
      });
    } else if (step.phase === "forward") {
      edges.forEach(function (e) { if (e.to === step.node) e.el.classList.add("agl-flow"); });
    }
  }

  function reveal(g) {  // scroll the drawing (only the drawing) to show the current node
    var box = root.querySelector('[data-role="graph"]');
    var r = g.getBoundingClientRect(), c = box.getBoundingClientRect();
    if (r.left < c.left || r.right > c.right) {
      box.scrollLeft += r.left - c.left - (c.width - r.width) / 2;
    }
    if (r.top < c.top || r.bottom > c.bottom) {
      box.scrollTop += r.top - c.top - (c.height - r.height) / 2;
    }
  }

  function fillPanel(step) {
    panel.textContent = "";
    add(panel, "h4", "", step.title);
    var table = add(panel, "table");
    if (step.phase === "start") {
      add(panel, "p", "", "The forward pass computes each node from its inputs. The " +
          "backward pass then visits the nodes in reverse order: each node multiplies the " +
          "gradient it received (the upstream gradient) by its local derivatives and sends " +
          "the products to its inputs, where they add up.");
    } else if (step.phase === "forward") {
      (step.inputs || []).forEach(function (inp) {
        row(table, inp["var"] + " = " + inp.name, inp.value.text);
      });
      row(table, "value", step.value.text, { "data-role": "value",
                                             "data-value": step.value.exact });
    } else if (step.phase === "backward") {
      row(table, "upstream gradient dL/d(" + step.name + ")", step.upstream.text,
          { "data-role": "upstream", "data-value": step.upstream.exact,
            "id": "PLAYER_ID-upstream", "data-node": step.node });
      if (step.from.length > 1) {
        row(table, "sum of " + step.from.length + " contributions", step.from.join("\n+ "))
          .classList.add("agl-fanout");
      } else if (step.from.length === 1) {
        row(table, "received", step.from[0]);
      }
      if (step.leaf) {
        add(panel, "p", "", "A leaf: the driver adds this gradient to " + step.name +
            ".grad. Nothing to pass on.");
      }
      (step.sends || []).forEach(function (d) {
        var box = add(panel, "div", "agl-send");
        box.setAttribute("data-role", "send");
        box.setAttribute("data-to", d.to);
        add(box, "strong", "", "to " + d.to_name + (d.var ? " (input " + d.var + ")" : "") + ": ");
        add(box, "span", "", d.rule);
        if (d.note) add(box, "div", "", d.note);
        var t = add(box, "table");
        if (d.local) row(t, "local derivative", d.local.text);
        var sent = d.product.text, oneLine = !/\n/.test(step.upstream.text + sent);
        if (d.local && oneLine && !/\n/.test(d.local.text)) {  // the recorded numbers, side by side
          sent = step.upstream.text + " × " + d.local.text + " = " + sent;
        }
        row(t, d.local ? "upstream × local" : "sent", sent,
            { "data-role": "product", "data-value": d.product.exact });
        var sum = row(t, "running sum at " + d.to_name, d.sum.text + (d.of > 1 ?
            "   (" + d.count + " of " + d.of + " contributions" +
            (d.count === d.of ? ": complete)" : ")") : ""),
            { "data-role": "sum", "data-value": d.sum.exact });
        if (d.of > 1) sum.classList.add("agl-fanout");
      });
    } else {
      add(panel, "p", "", "Press reset (Home) to watch it again, or previous (←) to go back.");
    }
  }

  function render() {
    var step = steps[current];
    root.setAttribute("data-step", String(current));
    root.setAttribute("data-phase", step.phase);
    root.setAttribute("data-node", step.node || "");
    var phase = step.phase === "forward" ? " · forward pass" :
                step.phase === "backward" ? " · backward pass" : "";
    counter.textContent = "step " + current + " / " + last + phase;
    buttons.prev.disabled = buttons.reset.disabled = current === 0;
    buttons.next.disabled = current === last;
    markGraph(step);
    fillPanel(step);
  }

  function go(i) { current = Math.max(0, Math.min(last, i)); render(); }
  function pause() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    buttons.play.textContent = "▶ play";
    root.setAttribute("data-playing", "false");
  }
  function play() {
    if (current === last) go(0);
    buttons.play.textContent = "❚❚ pause";
    root.setAttribute("data-playing", "true");
    timer = setInterval(function () {
      if (current >= last) pause(); else go(current + 1);
    }, 1200);
  }
  function toggle() { if (timer === null) play(); else pause(); }

  buttons.next.addEventListener("click", function () { pause(); go(current + 1); });
  buttons.prev.addEventListener("click", function () { pause(); go(current - 1); });
  buttons.reset.addEventListener("click", function () { pause(); go(0); });
  buttons.play.addEventListener("click", toggle);

  function onKey(e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var k = e.key;
    if (e.target && e.target.tagName === "BUTTON" && (k === " " || k === "Enter")) return;
    if (k === "ArrowRight" || k === "Right") { pause(); go(current + 1); }
    else if (k === "ArrowLeft" || k === "Left") { pause(); go(current - 1); }
    else if (k === " " || k === "Spacebar") toggle();
    else if (k === "Home") { pause(); go(0); }
    else return;
    e.preventDefault();
  }
  // Alone on its page, the player takes the keys everywhere; inside a notebook or a
  // document, only when it has the focus (click it, or Tab to it).
  (data.standalone ? document : root).addEventListener("keydown", onKey);
  render();
})();
