# Usage: python3 gen.py OUTDIR  (writes the xref_*.json cases of this directory)
# Independent brute-force screened MBE cases (plain Python, no qcmb code): kept clusters by
# testing every combination, plan per bsse type, seeded random component results, totals
# through each n as sums of the n-body increments of the kept clusters.
import itertools, json, math, random, sys

BOHR = 0.52917721067

def waters(n, rng):
    side = math.ceil(n ** (1/3))
    syms, geom, frags = [], [], []
    for w in range(n):
        i, j, k = w % side, (w // side) % side, w // (side*side)
        o = [3.1*i + rng.uniform(-.3,.3), 3.1*j + rng.uniform(-.3,.3), 3.1*k + rng.uniform(-.3,.3)]
        atoms = [o, [o[0]+0.9572, o[1], o[2]], [o[0]-0.24, o[1]+0.927, o[2]]]
        frags.append([len(syms), len(syms)+1, len(syms)+2])
        syms += ["O", "H", "H"]
        for a in atoms:
            geom += [x / BOHR for x in a]
    return syms, geom, frags

def pairdist(geom, frags, metric, a, b):
    pa = [geom[3*i:3*i+3] for i in frags[a]]
    pb = [geom[3*i:3*i+3] for i in frags[b]]
    if metric == "centroid":
        ca = [sum(p[d] for p in pa)/len(pa) for d in range(3)]
        cb = [sum(p[d] for p in pb)/len(pb) for d in range(3)]
        return math.dist(ca, cb)
    return min(math.dist(p, q) for p in pa for q in pb)

def make(name, n, maxnb, bsse, metric, cut, units, driver, seed):
    rng = random.Random(seed)
    syms, geom, frags = waters(n, rng)
    scale = 1/BOHR if units == "angstrom" else 1.0
    cutb = {k: v*scale for k, v in cut.items()}
    kept = {1: [(i,) for i in range(1, n+1)]}
    for k in range(2, maxnb+1):
        r = cutb.get(k, math.inf)
        kept[k] = [S for S in itertools.combinations(range(1, n+1), k)
                   if all(pairdist(geom, frags, metric, a-1, b-1) <= r for a, b in itertools.combinations(S, 2))]
    tasks = set()
    for k in kept:
        for S in kept[k]:
            if bsse == "nocp":
                tasks.add((S, S))
            else:
                for t in range(1, k+1):
                    for T in itertools.combinations(S, t):
                        tasks.add((T, S))
    tasks = sorted(tasks, key=lambda x: (len(x[0]), x[0], x[1]))
    comp = {}
    comps = []
    for T, B in tasks:
        natom = 3*len(B)
        e = -76.0*len(T) + rng.uniform(-0.05, 0.05)
        g = [[rng.uniform(-0.01, 0.01) for _ in range(3)] for _ in range(natom)] if driver == "gradient" else None
        comp[(T, B)] = (e, g)
        c = {"mc": "hf", "real": list(T), "basis": list(B), "energy": e}
        if g is not None:
            c["gradient"] = g
        comps.append(c)
    total, grad = {}, [[0.0]*3 for _ in range(len(syms))]
    acc = 0.0
    for k in range(1, maxnb+1):
        for S in kept[k]:
            for t in range(1, k+1):
                for T in itertools.combinations(S, t):
                    B = S if bsse == "vmfc" else T
                    w = (-1) ** (k - t)
                    e, g = comp[(T, B)]
                    acc += w*e
                    if g is not None:
                        atoms = [a for f in B for a in frags[f-1]]
                        for i, a in enumerate(atoms):
                            for d in range(3):
                                grad[a][d] += w*g[i][d]
        total[str(k)] = acc
    spec = {"hf": {"program": "embedded", "driver": driver, "model": {"method": "hf", "basis": "sto-3g"}}}
    doc = {"name": name, "input": {"schema_name": "qcschema_manybodyinput", "schema_version": 1,
        "molecule": {"schema_name": "qcschema_molecule", "schema_version": 2, "symbols": syms, "geometry": geom, "fragments": frags},
        "specification": {"schema_name": "qcschema_manybodyspecification", "schema_version": 1, "driver": driver,
            "keywords": {"bsse_type": [bsse], "levels": {str(maxnb): "hf"}, "return_total_data": True,
                "screening": {"metric": metric, "cutoffs": {str(k): v for k, v in cut.items()}, "units": units}},
            "specification": spec}},
        "components": comps,
        "expected": {"tasks": [[list(T), list(B)] for T, B in tasks],
            "retained_clusters_per_level": {str(k): len(kept[k]) for k in kept},
            "total_energy_through": total, "gradient": grad if driver == "gradient" else None}}
    with open(f"{sys.argv[1]}/{name}.json", "w") as f:
        json.dump(doc, f)

make("xref_w14_nocp4_centroid_energy", 14, 4, "nocp", "centroid", {2: 6.0, 3: 5.0, 4: 4.7}, "angstrom", "energy", 1)
make("xref_w10_vmfc4_minatom_grad", 10, 4, "vmfc", "min_atom", {3: 4.0, 4: 3.9}, "angstrom", "gradient", 2)
make("xref_w16_nocp3_centroid_bohr_grad", 16, 3, "nocp", "centroid", {2: 12.0, 3: 8.0}, "bohr", "gradient", 3)
make("xref_w20_vmfc2_minatom_energy", 20, 2, "vmfc", "min_atom", {2: 3.0}, "angstrom", "energy", 4)
