"""Regenerates the CrystaLattE reference data of qcmb's lattice tests.

Run from this directory with CrystaLattE importable (see README.md):

    PYTHONPATH=/usr/lib/x86_64-linux-gnu:/path/to/CrystaLattE python3 generate.py enumeration
    CLE_SCF_TYPE=pk PYTHONPATH=... python3 generate.py energies

It writes enumeration.json (test mode: n-mers, replicas, nuclear repulsion energies,
priorities, separations) and energies.json (psi4api mode: non-additive n-body energies and
lattice energies at HF/STO-3G).
"""

import contextlib
import io
import json
import os
import shutil
import sys
import tempfile

import crystalatte
import psi4

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..")
BOHR = 0.52917721067

# CrystaLattE's main() arguments besides cif_input, by case name. The Tests/*/*.cle
# settings are CrystaLattE's own; Ethyl_Carbamate and Ice get finite cutoffs instead of
# their 100 A ones (their .cle files write Psithon inputs for a whole shell).
ENUMERATION = {
    "ammonia_test91": ("data/cif/Ammonia.cif", dict(cif_a=3, cif_b=3, cif_c=3, nmers_up_to=5, r_cut_com=6.5, r_cut_monomer=3.5, r_cut_dimer=2.6, r_cut_trimer=3.7, r_cut_tetramer=3.7, r_cut_pentamer=6.1)),
    "benzene_test95_chsev": ("data/cif/Benzene.cif", dict(cif_a=5, cif_b=5, cif_c=5, uniq_filter="ChSEV", nmers_up_to=2, r_cut_com=9.5, r_cut_monomer=11.4, r_cut_dimer=11.4)),
    "benzene_test95_dreamaligner": ("data/cif/Benzene.cif", dict(cif_a=5, cif_b=5, cif_c=5, uniq_filter="Dreamaligner", nmers_up_to=2, r_cut_com=9.5, r_cut_monomer=11.4, r_cut_dimer=11.4)),
    "triazine_test87": ("data/cif/Triazine.cif", dict(cif_a=3, cif_b=3, cif_c=3, nmers_up_to=2, r_cut_monomer=8.0, r_cut_dimer=2.9)),
    "ethyl_carbamate_trimers": ("Cifs/ethyl_carbamate.cif", dict(nmers_up_to=3, r_cut_com=10.0, r_cut_dimer=4.0, r_cut_trimer=3.0)),
    "ice_trimers": ("Tests/Ice/Ice.cif", dict(cif_a=3, cif_b=3, cif_c=3, nmers_up_to=3, r_cut_com=8.0, r_cut_monomer=6.0, r_cut_dimer=3.0, r_cut_trimer=3.0)),
    "carbon_dioxide_auto": ("data/cif/Carbon_Dioxide.cif", dict(nmers_up_to=3, r_cut_com=9.0, r_cut_dimer=5.0, r_cut_trimer=4.0)),
    "benzene_dreamaligner_trimers": ("data/cif/Benzene.cif", dict(cif_a=3, cif_b=3, cif_c=3, uniq_filter="Dreamaligner", nmers_up_to=3, r_cut_com=8.4, r_cut_monomer=4.43, r_cut_dimer=2.6, r_cut_trimer=2.7)),
}

TESTS = ["14-cyclohexanedione", "Acetic_Acid", "Adamantane", "Ammonia", "Anthracene", "Benzene",
         "Carbon_Dioxide", "Cyanamide", "Cytosine", "Fomepizole", "Formamide", "Hexamine",
         "Hydroxyurea", "Imidazole", "Naphthalene", "Oxalic_Acid_A", "Oxalic_Acid_B", "Pyrazine",
         "Pyrazole", "Succinic_Acid", "Triazine", "Trioxane", "Uracil", "Urea"]

# Where each Tests/ case's CIF is in this directory (byte-identical copies).
TEST_CIF = {
    "14-cyclohexanedione": "Cifs/14-cyclohexanedione.cif", "Acetic_Acid": "Cifs/acetic_acid.cif",
    "Adamantane": "Cifs/adamantane.cif", "Ammonia": "data/cif/Ammonia.cif",
    "Anthracene": "Cifs/anthracene.cif", "Benzene": "data/cif/Benzene.cif",
    "Carbon_Dioxide": "data/cif/Carbon_Dioxide.cif", "Cyanamide": "Cifs/cyanamide.cif",
    "Cytosine": "Cifs/cytosine.cif", "Fomepizole": "Tests/Fomepizole/Fomepizole.cif",
    "Formamide": "Cifs/formamide.cif", "Hexamine": "Cifs/hexamine.cif",
    "Hydroxyurea": "Tests/Hydroxyurea/Hydroxyurea.cif", "Imidazole": "Cifs/imidazole.cif",
    "Naphthalene": "Cifs/naphthalene.cif", "Oxalic_Acid_A": "Cifs/oxalic_acid_alpha.cif",
    "Oxalic_Acid_B": "Cifs/oxalic_acid_beta.cif", "Pyrazine": "Cifs/pyrazine.cif",
    "Pyrazole": "Cifs/pyrazole.cif", "Succinic_Acid": "Cifs/succinic_acid.cif",
    "Triazine": "data/cif/Triazine.cif", "Trioxane": "Cifs/trioxane.cif",
    "Uracil": "Cifs/uracil.cif", "Urea": "Cifs/urea.cif",
}

# psi4api cases: name -> (cif, main() arguments).
ENERGIES = {
    "ammonia_nocp_pentamers": ("data/cif/Ammonia.cif", dict(cif_a=3, cif_b=3, cif_c=3, nmers_up_to=5, r_cut_com=6.5, r_cut_monomer=3.5, r_cut_dimer=2.6, r_cut_trimer=3.7, r_cut_tetramer=3.7, r_cut_pentamer=6.1, bsse_type="nocp")),
    "ammonia_cp_trimers": ("data/cif/Ammonia.cif", dict(cif_a=3, cif_b=3, cif_c=3, nmers_up_to=3, r_cut_com=6.5, r_cut_monomer=3.5, r_cut_dimer=2.6, r_cut_trimer=3.7, bsse_type="cp")),
    "ammonia_vmfc_trimers": ("data/cif/Ammonia.cif", dict(cif_a=3, cif_b=3, cif_c=3, nmers_up_to=3, r_cut_com=6.5, r_cut_monomer=3.5, r_cut_dimer=2.6, r_cut_trimer=3.7, bsse_type="vmfc")),
    "carbon_dioxide_cp_pentamers": ("data/cif/Carbon_Dioxide.cif", dict(cif_a=3, cif_b=3, cif_c=3, nmers_up_to=5, r_cut_com=8.0, r_cut_monomer=3.3, r_cut_dimer=3.2, r_cut_trimer=3.2, r_cut_tetramer=3.2, r_cut_pentamer=4.7, bsse_type="cp")),
    "carbon_dioxide_nocp_trimers": ("data/cif/Carbon_Dioxide.cif", dict(cif_a=3, cif_b=3, cif_c=3, nmers_up_to=3, r_cut_com=8.0, r_cut_monomer=3.3, r_cut_dimer=3.2, r_cut_trimer=3.2, bsse_type="nocp")),
}


def read_cle(path):
    kw = {}
    for line in open(path):
        line = line.split("#")[0]
        if "=" not in line:
            continue
        k, v = line.split("=")[:2]
        kw[k.strip().lower()] = v.strip()
    args = {}
    for k in ["cif_a", "cif_b", "cif_c", "nmers_up_to"]:
        if k in kw:
            args[k] = int(kw[k])
            if k.startswith("cif_") and args[k] and args[k] % 2 == 0:
                args[k] += 1
    for k in ["r_cut_com", "r_cut_monomer", "r_cut_dimer", "r_cut_trimer", "r_cut_tetramer", "r_cut_pentamer", "bfs_thresh"]:
        if k in kw:
            args[k] = float(kw[k])
    return args


def run(cif, args, run_type):
    tmp = tempfile.mkdtemp()
    try:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            nmers, cle, _ = crystalatte.main(
                cif_input=os.path.join(DATA, cif), cif_output=os.path.join(tmp, "sc.xyz"),
                cle_run_type=run_type, method="HF/STO-3G", verbose=0, **args)
    finally:
        shutil.rmtree(tmp)
    rec = {"cif": cif, "args": args, "monomers": sum(1 for k in nmers if k.startswith("1mer-")), "nmers": []}
    for k, v in nmers.items():
        if k.startswith("1mer-"):
            continue
        rec["nmers"].append({
            "name": k, "replicas": v["replicas"], "atoms_per_monomer": [int(a) for a in v["atoms_per_monomer"]],
            "nre": v["nre"], "priority_min": v["priority_min"], "priority_com": v["priority_com"],
            "priority_cutoff": v["priority_cutoff"],
            "min_separations": sorted(float(r) for r in v["min_monomer_separations"]),
            "com_separations": sorted(float(r) for r in v["com_monomer_separations"]),
            "chsev": [float(e) for e in v["chsev"][:8]],
            "nambe": v["nambe"], "contrib": v["contrib"],
        })
    rec["lattice_energy"] = cle
    return rec


def main():
    what = sys.argv[1]
    os.chdir(tempfile.mkdtemp())  # Psi4 writes timer.dat where it runs
    if what == "enumeration":
        cases = dict(ENUMERATION)
        for t in TESTS:
            cases["tests_" + t] = (TEST_CIF[t], read_cle(os.path.join(DATA, "Tests", t, t + ".cle")))
        out = {name: run(cif, args, ["test"]) for name, (cif, args) in sorted(cases.items())}
    elif what == "energies":
        psi4.set_num_threads(1)
        out = {}
        for name, (cif, args) in sorted(ENERGIES.items()):
            args = dict(args)
            bsse = args.pop("bsse_type")
            rec = run(cif, dict(args, bsse_type=bsse), ["psi4api", "quiet"])
            rec["args"]["bsse_type"] = bsse
            out[name] = rec
    else:
        sys.exit("usage: generate.py enumeration|energies")
    with open(os.path.join(HERE, what + ".json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
