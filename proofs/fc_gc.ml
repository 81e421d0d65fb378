(* proofs/fc_gc.ml -- OCaml garbage-collector settings for the Frama-C runs
   of proofs/run_proofs.sh and proofs/run_eva.sh (proofs/README.md, first
   section).

   Frama-C sets the minor heap to 256 Ki words (2 MiB) when it starts, over
   any OCAMLRUNPARAM. A WP run of st_json.c then does about 26000 minor
   collections, each of which scans the global roots of every plugin Frama-C
   has loaded, and promotes 87 M words to the major heap. Loaded as a module
   (-load-module), after Frama-C's own start-up, this file sets a 64 MiB
   minor heap (8 Mi words) and lets the major heap grow to three times its
   live data before a cycle: about 870 minor collections and 39 M promoted
   words for the same run. It changes when memory is reclaimed, nothing
   that Frama-C computes. *)

let () =
  Stdlib.Gc.set
    { (Stdlib.Gc.get ()) with
      Stdlib.Gc.minor_heap_size = 8 * 1024 * 1024;
      space_overhead = 200 }
