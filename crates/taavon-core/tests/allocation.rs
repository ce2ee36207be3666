//! The allocation engine against the shared oracle instances (`tests/oracle/allocation`
//! and `tests/oracle/allocation-sectors`, solved by HiGHS) and, by brute force, against
//! every allocation of small random instances, with and without sector caps.

use std::collections::BTreeMap;

use proptest::prelude::*;
use taavon_core::allocation::{
    Application, Binding, Params, Problem, ProvinceBudget, Scenario, Share, allocate, verify,
    what_if,
};

const APPLICATIONS: &str = include_str!("oracle/allocation/applications.csv");
const BUDGETS: &str = include_str!("oracle/allocation/budgets.csv");
const REFERENCE: &str = include_str!("oracle/allocation/reference.json");

const SECTOR_APPLICATIONS: &str = include_str!("oracle/allocation-sectors/applications.csv");
const SECTOR_BUDGETS: &str = include_str!("oracle/allocation-sectors/budgets.csv");
const SECTOR_CAPS: &str = include_str!("oracle/allocation-sectors/sector_caps.csv");
const SECTOR_REFERENCE: &str = include_str!("oracle/allocation-sectors/reference.json");

/// An oracle instance; sector names become codes in order of first appearance.
fn read_problem(applications: &str, budgets: &str) -> (Problem, Vec<String>) {
    let mut sectors: Vec<String> = Vec::new();
    let mut header = applications.lines().next().unwrap().split(',');
    let sector_column = header.position(|c| c == "sector");
    let applications = applications
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let sector = sector_column.map_or(0, |c| {
                let name = f[c];
                match sectors.iter().position(|s| s == name) {
                    Some(code) => code,
                    None => {
                        sectors.push(name.to_owned());
                        sectors.len() - 1
                    }
                }
            });
            Application {
                province: f[1].parse().unwrap(),
                amount: f[2].parse().unwrap(),
                jobs: f[3].parse().unwrap(),
                women_jobs: f[4].parse().unwrap(),
                women_led: f[5] == "1",
                tier: f[6].parse().unwrap(),
                sector: u32::try_from(sector).unwrap(),
            }
        })
        .collect();
    let budgets: Vec<ProvinceBudget> = budgets
        .lines()
        .skip(1)
        .map(|line| {
            let (province, budget) = line.split_once(',').unwrap();
            ProvinceBudget {
                province: province.parse().unwrap(),
                budget: budget.parse().unwrap(),
            }
        })
        .collect();
    (Problem::new(applications, &budgets).unwrap(), sectors)
}

fn oracle_problem() -> Problem {
    read_problem(APPLICATIONS, BUDGETS).0
}

/// The sectors instance and its policy: the default quotas and weights with the caps of
/// `sector_caps.csv`.
fn sectors_problem() -> (Problem, Params, Vec<String>) {
    let (problem, sectors) = read_problem(SECTOR_APPLICATIONS, SECTOR_BUDGETS);
    let sector_caps = SECTOR_CAPS
        .lines()
        .skip(1)
        .map(|line| {
            let (name, bp) = line.split_once(',').unwrap();
            let code = sectors.iter().position(|s| s == name).unwrap();
            (
                u32::try_from(code).unwrap(),
                Share::from_basis_points(bp.parse().unwrap()).unwrap(),
            )
        })
        .collect();
    let params = Params {
        sector_caps,
        ..Params::default()
    };
    (problem, params, sectors)
}

/// A number field of a reference.json (flat enough not to need a JSON parser).
fn number_in(json: &str, key: &str) -> f64 {
    let start = json.find(&format!("\"{key}\":")).unwrap() + key.len() + 3;
    let rest = json[start..].trim_start();
    let end = rest.find([',', '\n', '}']).unwrap();
    rest[..end].trim().parse().unwrap()
}

fn reference(key: &str) -> f64 {
    number_in(REFERENCE, key)
}

#[test]
fn the_oracle_instance_is_solved_within_a_tenth_of_a_percent_of_the_mip_bound() {
    // Establishes feasibility, the 99.9 % target and the bound's validity on the oracle.
    let problem = oracle_problem();
    let result = allocate(&problem, &Params::default()).unwrap();
    verify(&problem, &Params::default(), &result.funded).unwrap();
    let mip_bound = reference("mip_dual_bound");
    let mip_objective = reference("mip_objective");
    let lp_bound = reference("lp_bound");
    eprintln!(
        "objective {} bound {} (LP {lp_bound}, MIP {mip_objective}..{mip_bound})",
        result.objective, result.upper_bound
    );
    assert!(
        result.objective >= 0.999 * mip_bound,
        "{}",
        result.objective
    );
    assert!(result.upper_bound >= mip_objective);
    // No 0/1 allocation beats the LP optimum, which our dual can only approach from
    // above; a good search lands close to it.
    assert!(result.upper_bound >= lp_bound * (1.0 - 1e-9));
    assert!(
        result.upper_bound <= lp_bound * 1.0001,
        "{}",
        result.upper_bound
    );
    assert!(result.gap() < 0.002);
}

#[test]
fn the_sectors_instance_meets_every_cap_within_a_tenth_of_a_percent_of_the_mip_bound() {
    // Establishes, on the oracle instance with sector caps, exact feasibility (caps
    // included), the 99.9 % target and that the reported bound is a true bound.
    let (problem, params, sectors) = sectors_problem();
    let result = allocate(&problem, &params).unwrap();
    let totals = verify(&problem, &params, &result.funded).unwrap();
    let mip_bound = number_in(SECTOR_REFERENCE, "mip_dual_bound");
    let mip_objective = number_in(SECTOR_REFERENCE, "mip_objective");
    let lp_bound = number_in(SECTOR_REFERENCE, "lp_bound");
    eprintln!(
        "objective {} bound {} (LP {lp_bound}, MIP {mip_objective}..{mip_bound}), {:.3} % of the MIP bound",
        result.objective,
        result.upper_bound,
        100.0 * result.objective / mip_bound
    );
    for s in &result.sectors {
        eprintln!(
            "{}: {:.4} of the funded amount (cap {}), price {:e}",
            sectors[s.sector as usize],
            s.amount as f64 / totals.amount as f64,
            s.cap,
            s.price
        );
        assert_eq!(s.amount, totals.sector_amount_of(&problem, s.sector));
        assert!(10_000 * s.amount <= i128::from(s.cap.basis_points()) * totals.amount);
    }
    assert!(
        result.objective >= 0.999 * mip_bound,
        "{}",
        result.objective
    );
    // The 0/1 optimum is at most HiGHS's dual bound and at least its best solution; the
    // LP optimum lies above both and no Lagrangian bound lies below it.
    assert!(result.upper_bound >= mip_bound - 1e-6);
    assert!(result.upper_bound >= lp_bound * (1.0 - 1e-9));
    assert!(
        result.upper_bound <= lp_bound * 1.0001,
        "{}",
        result.upper_bound
    );
    // The caps bind here: without them the same round funds more of a capped sector.
    let uncapped = Params::default();
    let free = allocate(&problem, &uncapped).unwrap();
    assert!(free.objective > result.objective);
    assert!(verify(&problem, &params, &free.funded).is_err());
}

#[test]
fn every_oracle_decision_is_explained_consistently() {
    // Establishes that explanations agree with the decisions and the constraints.
    let problem = oracle_problem();
    let result = allocate(&problem, &Params::default()).unwrap();
    let explanations = result.explain(&problem);
    assert_eq!(explanations.len(), problem.applications().len());
    let mut codes = std::collections::BTreeMap::new();
    for (e, &funded) in explanations.iter().zip(&result.funded) {
        assert_eq!(e.funded, funded);
        assert_eq!(e.binding == Binding::None, funded);
        *codes.entry(e.binding.code()).or_insert(0) += 1;
        if let Binding::BelowCutoff { .. } = e.binding {
            assert!(e.marginal_value <= 0.0);
        }
    }
    // Ranks number each province's applications 1, 2, … once each.
    let mut ranks: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
    for (e, a) in explanations.iter().zip(problem.applications()) {
        ranks.entry(a.province).or_default().push(e.rank);
    }
    for list in ranks.values_mut() {
        list.sort_unstable();
        assert!(list.iter().copied().eq(1..=list.len() as u32));
    }
    // The oracle's quotas are tight: the women's quota must show up as a reason.
    assert!(codes.contains_key("women_share"), "{codes:?}");
    assert!(codes.contains_key("below_cutoff"), "{codes:?}");
}

#[test]
fn a_binding_sector_cap_is_named_as_the_reason_an_application_waits() {
    // Establishes the sector_cap binding: on the sectors instance some unfunded
    // applications are kept out by their sector's cap, and only applications of a capped
    // sector are.
    let (problem, params, _) = sectors_problem();
    let result = allocate(&problem, &params).unwrap();
    let explanations = result.explain(&problem);
    let mut codes = std::collections::BTreeMap::new();
    for (e, a) in explanations.iter().zip(problem.applications()) {
        assert_eq!(e.binding == Binding::None, e.funded);
        *codes.entry(e.binding.code()).or_insert(0) += 1;
        if let Binding::SectorCap { sector } = e.binding {
            assert_eq!(sector, a.sector);
            assert!(params.sector_caps.contains_key(&sector));
        }
    }
    eprintln!("{codes:?}");
    assert!(codes.contains_key("sector_cap"), "{codes:?}");
}

#[test]
fn what_if_runs_each_policy_side_by_side() {
    // Establishes that scenarios are independent runs over the same applications.
    let problem = oracle_problem();
    let generous = Params {
        women_share: Share::from_basis_points(0).unwrap(),
        deprived_share: Share::from_basis_points(0).unwrap(),
        ..Params::default()
    };
    let halved: Vec<ProvinceBudget> = problem
        .provinces()
        .iter()
        .map(|b| ProvinceBudget {
            province: b.province,
            budget: b.budget / 2,
        })
        .collect();
    let broken = Params {
        women_bonus: -1.0,
        ..Params::default()
    };
    let scenarios = [
        ("policy", Params::default(), None),
        ("no quotas", generous, None),
        ("half budgets", Params::default(), Some(halved)),
        ("broken", broken, None),
    ]
    .map(|(name, params, budgets)| Scenario {
        name: name.into(),
        params,
        budgets,
    });
    let results = what_if(&problem, &scenarios);
    let names: Vec<&str> = results.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["policy", "no quotas", "half budgets", "broken"]);
    let objective = |k: usize| results[k].1.as_ref().unwrap().objective;
    // Dropping the quotas can only help; halving budgets can only hurt.
    assert!(objective(1) >= objective(0));
    assert!(objective(2) < objective(0));
    let half = results[2].1.as_ref().unwrap();
    for p in &half.provinces {
        assert!(p.used <= p.budget);
    }
    assert!(results[3].1.is_err());
}

fn brute_force_best(problem: &Problem, params: &Params) -> f64 {
    let apps = problem.applications();
    let value = |a: &Application| {
        f64::from(a.jobs) * params.tier_weights[usize::from(a.tier) - 1]
            + params.women_bonus * f64::from(a.women_jobs)
    };
    let mut best: f64 = 0.0;
    for mask in 0u32..(1 << apps.len()) {
        let funded: Vec<bool> = (0..apps.len()).map(|i| mask >> i & 1 == 1).collect();
        if verify(problem, params, &funded).is_ok() {
            let total: f64 = apps
                .iter()
                .zip(&funded)
                .filter(|(_, f)| **f)
                .map(|(a, _)| value(a))
                .sum();
            best = best.max(total);
        }
    }
    best
}

/// Small instances: up to 12 applications in 3 provinces and 3 sectors, any quotas, and
/// caps on none, some or all of the sectors (0 to 100 %).
fn arb_instance() -> impl Strategy<Value = (Problem, Params)> {
    let app = (
        1u32..=3,
        1i64..=40,
        0u32..=6,
        0u32..=6,
        any::<bool>(),
        1u8..=4,
        0u32..=2,
    )
        .prop_map(
            |(province, amount, jobs, women, women_led, tier, sector)| Application {
                province,
                amount: amount * 1_000_000,
                jobs,
                women_jobs: women.min(jobs),
                women_led,
                tier,
                sector,
            },
        );
    let cap = prop_oneof![Just(None), (0u32..=10_000).prop_map(Some)];
    (
        proptest::collection::vec(app, 0..=12),
        proptest::collection::vec(0i64..=80, 3),
        0u32..=10_000,
        0u32..=10_000,
        proptest::array::uniform4(0u8..=8),
        0u8..=4,
        proptest::array::uniform3(cap),
    )
        .prop_map(|(apps, budgets, women, deprived, weights, bonus, caps)| {
            let budgets: Vec<ProvinceBudget> = budgets
                .iter()
                .zip(1..)
                .map(|(&b, province)| ProvinceBudget {
                    province,
                    budget: b * 1_000_000,
                })
                .collect();
            let sector_caps: BTreeMap<u32, Share> = (0..)
                .zip(caps)
                .filter_map(|(sector, cap)| Some((sector, Share::from_basis_points(cap?)?)))
                .collect();
            let params = Params {
                women_share: Share::from_basis_points(women).unwrap(),
                deprived_share: Share::from_basis_points(deprived).unwrap(),
                tier_weights: weights.map(|w| f64::from(w) / 4.0),
                women_bonus: f64::from(bonus) / 4.0,
                sector_caps,
            };
            (Problem::new(apps, &budgets).unwrap(), params)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_engine_is_feasible_and_its_bound_covers_the_true_optimum(
        (problem, params) in arb_instance()
    ) {
        // Establishes feasibility (sector caps included) and bound ≥ optimum ≥ objective
        // against brute force, and that every decision is explained.
        let result = allocate(&problem, &params).unwrap();
        prop_assert!(verify(&problem, &params, &result.funded).is_ok());
        for (e, &funded) in result.explain(&problem).iter().zip(&result.funded) {
            prop_assert_eq!(e.binding == Binding::None, funded);
        }
        let best = brute_force_best(&problem, &params);
        prop_assert!(result.objective <= best + 1e-9);
        prop_assert!(result.upper_bound >= best - 1e-9,
            "bound {} below optimum {best}", result.upper_bound);
    }
}
