-- PerfBudget schema: the whole domain (docs/figures.md), not only what today's pages show.
-- Money is DECIMAL(18,2) in 元, never float. Codes are text (leading zeros are significant).
-- Every "current" table has a twin `<table>_history` that keeps the rows a later import
-- superseded (with the superseding batch id), so a batch can be rolled back, and the rows a
-- rollback archived, so the rollback can be undone (restored): nothing is ever deleted.
-- Applied by perfbudget.db.ensure_schema; every statement is idempotent.

create sequence if not exists batch_id_seq start 1;

create table if not exists import_batches (
    batch_id      integer primary key,
    file_name     varchar not null,
    sha256        varchar not null check (length(sha256) = 64),
    layout        varchar not null,             -- e.g. template:execution, selfeval_table
    table_kinds   varchar not null,             -- comma list: projects,execution,…
    row_count     integer not null check (row_count >= 0),
    row_counts    varchar not null,             -- JSON {"execution": 120, …}
    replaced_count integer not null default 0 check (replaced_count >= 0),
    imported_at   timestamp not null,
    imported_by   varchar not null,
    status        varchar not null default 'active' check (status in ('active', 'rolled_back')),
    note          varchar
);

create table if not exists districts (
    district_name varchar primary key
);

create table if not exists departments (
    department_code varchar primary key,
    department_name varchar not null,
    district_name   varchar,
    is_sensitive    boolean not null default false,   -- 涉密部门: all its projects are sensitive
    batch_id        integer
);

create table if not exists units (
    unit_code       varchar primary key,
    unit_name       varchar not null,
    department_code varchar not null,
    batch_id        integer
);

create table if not exists projects (
    year                 integer not null check (year between 2000 and 2100),
    project_code         varchar not null check (length(project_code) > 0),
    project_name         varchar not null,
    department_code      varchar not null,
    unit_code            varchar,
    budget_type          varchar check (budget_type in
                             ('一般公共预算', '政府性基金预算', '国有资本经营预算', '社会保险基金预算')),
    category             varchar,                 -- 运行维护类, 投资建设类, 购买服务类, 政策类, 信息化
    service_class        varchar,                 -- 一类事 class for cost benchmarking
    is_key               boolean not null default false,
    is_sensitive         boolean not null default false,
    targets_disclosed    boolean not null default false,
    initial_budget_yuan  decimal(18, 2) check (initial_budget_yuan >= 0),
    adjusted_budget_yuan decimal(18, 2) not null check (adjusted_budget_yuan >= 0),
    batch_id             integer,
    primary key (year, project_code)
);

-- Spending is stored cumulative per (year, month, project, fund source, economic class);
-- a month with no row carries the last cumulative value forward.
-- That key is unique, but it is not declared a primary key: DuckDB's index on it made a
-- 100,000-row import's insert and commit 50 times slower at city scale (1.3 M rows). Every
-- writer keeps it unique and checks it (importer/load.check_unique) in its transaction.
create table if not exists spending (
    year             integer not null,
    month            integer not null check (month between 1 and 12),
    project_code     varchar not null,
    fund_source      varchar not null default '',
    economic_class   varchar not null default '',
    cumulative_yuan  decimal(18, 2) not null,
    forecast_yuan    decimal(18, 2),             -- 全年预计执行数, where the file gives one
    batch_id         integer
    -- unique (year, month, project_code, fund_source, economic_class): see above
);

create table if not exists indicators (
    year            integer not null,
    project_code    varchar not null,
    level1          varchar not null,            -- 产出指标 / 效益指标 / 满意度指标 / 成本指标
    level2          varchar not null,            -- 数量指标, 质量指标, …
    indicator_name  varchar not null,
    operator        varchar not null check (operator in ('≥', '>', '=', '≤', '<', '定性', '不适用')),
    target_value    decimal(24, 6),              -- null for qualitative targets
    target_text     varchar,                     -- the target as written in the file
    unit            varchar,
    points          decimal(8, 2) check (points >= 0),   -- null: level-1 weight split equally
    is_cumulative   boolean,                     -- null: default rule (数量 with ≥/> is cumulative)
    batch_id        integer,
    primary key (year, project_code, level1, level2, indicator_name)
);

-- Unique per (year, project, indicator, month), kept so by the writers as spending's key
-- is (6 M rows at city scale: an index would cost more than spending's).
create table if not exists indicator_actuals (
    year            integer not null,
    project_code    varchar not null,
    level1          varchar not null,
    level2          varchar not null,
    indicator_name  varchar not null,
    month           integer not null check (month between 1 and 12),   -- 12 = year end
    actual_value    decimal(24, 6),
    actual_text     varchar,                     -- the value as written (qualitative level)
    period_target   decimal(24, 6),              -- 序时目标值 for this month, if imported
    reason          varchar,                     -- 偏差原因
    claimed_score   decimal(8, 2),               -- 得分 the unit gave itself (self-evaluation)
    batch_id        integer
    -- unique (year, project_code, level1, level2, indicator_name, month): see above
);

create table if not exists costs (
    year             integer not null,
    project_code     varchar not null,
    cost_item        varchar not null,           -- 人员成本, 设施设备, 运行维护, 管理费用, 其他
    amount_yuan      decimal(18, 2) not null,
    output_quantity  decimal(24, 6) check (output_quantity > 0),
    output_unit      varchar,
    batch_id         integer,
    primary key (year, project_code, cost_item)
);

create table if not exists cost_standards (
    year                     integer not null,
    service_class            varchar not null,
    output_unit              varchar not null,
    standard_unit_cost_yuan  decimal(18, 4) not null check (standard_unit_cost_yuan > 0),
    batch_id                 integer,
    primary key (year, service_class, output_unit)
);

create table if not exists rectifications (
    project_code   varchar not null,
    issue          varchar not null,
    feedback_date  date not null,
    done_date      date,
    batch_id       integer,
    primary key (project_code, issue, feedback_date),
    check (done_date is null or done_date >= feedback_date)
);

-- What a unit claimed in its self-evaluation table (the computed score lives in queries/).
create table if not exists self_evaluations (
    year                   integer not null,
    project_code           varchar not null,
    execution_points       decimal(8, 2),        -- 分值 on the funding row
    claimed_execution_score decimal(8, 2),
    claimed_total_score    decimal(8, 2),
    claimed_grade          varchar check (claimed_grade in ('优', '良', '中', '差')),
    batch_id               integer,
    primary key (year, project_code)
);

-- 预算申请: next year's budget requests (docs/figures.md#budget-request-review). The project
-- need not be in projects (a new one, or a year not yet budgeted): the request carries its own
-- name and department. year is the requested year.
create table if not exists budget_requests (
    year                    integer not null check (year between 2000 and 2100),
    project_code            varchar not null check (length(project_code) > 0),
    project_name            varchar not null,
    department_code         varchar not null,
    department_name         varchar not null,
    unit_code               varchar,
    service_class           varchar,                 -- 一类事
    requested_amount_yuan   decimal(18, 2) not null check (requested_amount_yuan >= 0),
    planned_output_quantity decimal(24, 6) check (planned_output_quantity > 0),
    output_unit             varchar,
    is_new                  boolean,                 -- 是否新增项目; null: not said
    batch_id                integer,
    primary key (year, project_code)
);

-- Thresholds of the warning rules (docs/figures.md#warning-rules); the defaults are seeded by
-- perfbudget.db.ensure_schema. Every flag reports the threshold it was judged against.
create table if not exists thresholds (
    rule_id     varchar not null,
    name        varchar not null,
    value       decimal(18, 6) not null,
    description varchar,
    primary key (rule_id, name)
);

create table if not exists settings (
    key   varchar primary key,
    value varchar not null
);

-- A leader's follow-up of a flag: 已关注 (noted) or 已处理 (handled), with a note. Append-only:
-- the latest row per (year, project, rule) is the flag's current follow-up; all are history.
create sequence if not exists followup_id_seq start 1;
create table if not exists flag_followups (
    followup_id     integer primary key default nextval('followup_id_seq'),
    year            integer not null,
    project_code    varchar not null,           -- '' for a department-level flag
    department_code varchar not null,
    rule_id         varchar not null,
    as_of_month     integer not null check (as_of_month between 1 and 12),
    status          varchar not null check (status in ('已关注', '已处理')),
    note            varchar,
    user_name       varchar not null,
    noted_at        timestamp not null
);

create table if not exists meta (
    key   varchar primary key,
    value varchar not null
);

-- Who may sign in (perfbudget/users.py). No row: the local single-user mode; a row switches
-- sign-in on. departments null = every department; is_sensitive: may see 涉密/敏感 projects and
-- projects of sensitive departments. password_hash is argon2id (salted, slow); never a password.
create table if not exists users (
    user_name     varchar primary key,
    role          varchar not null check (role in ('leader', 'analyst', 'admin')),
    departments   varchar[],
    is_sensitive  boolean not null default false,
    password_hash varchar not null,
    disabled      boolean not null default false,
    created_at    timestamp not null,
    changed_at    timestamp not null
);

-- Who did what, when, from where (perfbudget/audit.py). Append-only: the code inserts rows
-- and never updates or deletes one (tests/test_audit.py checks the whole package).
create sequence if not exists audit_id_seq start 1;
create table if not exists audit_log (
    audit_id  bigint primary key default nextval('audit_id_seq'),
    logged_at timestamp not null,
    user_name varchar not null,
    action    varchar not null,
    detail    varchar not null,
    origin    varchar not null default ''
);

-- History twins: same columns plus the batch that superseded the row.
create table if not exists projects_history as
    select *, null::integer as superseded_by from projects where false;
create table if not exists spending_history as
    select *, null::integer as superseded_by from spending where false;
create table if not exists indicators_history as
    select *, null::integer as superseded_by from indicators where false;
create table if not exists indicator_actuals_history as
    select *, null::integer as superseded_by from indicator_actuals where false;
create table if not exists costs_history as
    select *, null::integer as superseded_by from costs where false;
create table if not exists cost_standards_history as
    select *, null::integer as superseded_by from cost_standards where false;
create table if not exists rectifications_history as
    select *, null::integer as superseded_by from rectifications where false;
create table if not exists self_evaluations_history as
    select *, null::integer as superseded_by from self_evaluations where false;
create table if not exists budget_requests_history as
    select *, null::integer as superseded_by from budget_requests where false;
-- Departments and units a rollback left with nothing referring to them, archived with the
-- batch whose rollback removed them (removed_by) so that restoring the batch brings them back.
create table if not exists departments_history as
    select *, null::integer as removed_by from departments where false;
create table if not exists units_history as
    select *, null::integer as removed_by from units where false;

-- Columns added after the first release: ALTER keeps existing databases in step (history twins
-- too; rows move between a table and its twin by column name, so order does not matter).
alter table indicator_actuals add column if not exists forecast_value decimal(24, 6);          -- 全年预计完成值
alter table indicator_actuals add column if not exists forecast_text varchar;
alter table indicator_actuals add column if not exists deviation_category varchar;           -- 偏差原因类别
alter table indicator_actuals add column if not exists completion_likelihood varchar;        -- 确定能/有可能/完全不可能
alter table indicator_actuals_history add column if not exists forecast_value decimal(24, 6);
alter table indicator_actuals_history add column if not exists forecast_text varchar;
alter table indicator_actuals_history add column if not exists deviation_category varchar;
alter table indicator_actuals_history add column if not exists completion_likelihood varchar;
alter table self_evaluations add column if not exists goal_expected varchar;                 -- 年度总体目标：预期目标
alter table self_evaluations add column if not exists goal_actual varchar;                   -- 实际完成情况
alter table self_evaluations_history add column if not exists goal_expected varchar;
alter table self_evaluations_history add column if not exists goal_actual varchar;
alter table import_batches add column if not exists rolled_back_at timestamp;
alter table import_batches add column if not exists rolled_back_by varchar;
-- A history row's state (importer/batches.py). rolled_back: the row is its batch's own row
-- (batch_id = that batch, superseded_by null), archived when the batch was rolled back.
-- reinstated: a superseded row that is live again because the batch that superseded it
-- (superseded_by) was rolled back; the copy stays here so a restore can take it back.
alter table projects_history add column if not exists rolled_back boolean default false;
alter table spending_history add column if not exists rolled_back boolean default false;
alter table indicators_history add column if not exists rolled_back boolean default false;
alter table indicator_actuals_history add column if not exists rolled_back boolean default false;
alter table costs_history add column if not exists rolled_back boolean default false;
alter table cost_standards_history add column if not exists rolled_back boolean default false;
alter table rectifications_history add column if not exists rolled_back boolean default false;
alter table self_evaluations_history add column if not exists rolled_back boolean default false;
alter table budget_requests_history add column if not exists rolled_back boolean default false;
alter table projects_history add column if not exists reinstated boolean default false;
alter table spending_history add column if not exists reinstated boolean default false;
alter table indicators_history add column if not exists reinstated boolean default false;
alter table indicator_actuals_history add column if not exists reinstated boolean default false;
alter table costs_history add column if not exists reinstated boolean default false;
alter table cost_standards_history add column if not exists reinstated boolean default false;
alter table rectifications_history add column if not exists reinstated boolean default false;
alter table self_evaluations_history add column if not exists reinstated boolean default false;
alter table budget_requests_history add column if not exists reinstated boolean default false;
alter table import_batches add column if not exists restored_at timestamp;
alter table import_batches add column if not exists restored_by varchar;

-- ---------------------------------------------------------------------------------------
-- Macros shared by the queries. They keep one definition of scope, time progress and exact
-- ratios, so no query can get them subtly different.

-- exact_ratio(a, b) → DECIMAL(38,12)                          (docs/figures.md#exact-ratios)
--   takes:   a, b: numbers (DECIMAL, INTEGER or DOUBLE), each rounded to 6 decimals.
--   returns: a ÷ b truncated toward zero at 12 decimals (2 ÷ 3 = 0.666666666666, −1 ÷ 3 =
--            −0.333333333333); null when b is 0 or null, or a is null.
--   units:   a's unit over b's (元 ÷ 元: a fraction, 0.8 = 80%; pass × 100 for points).
--   edges:   a b that is not 0 but rounds to 0 at 6 decimals (0.0000001) raises DuckDB's
--            division-by-zero error: divisors are money, counts or points, never that small.
-- Truncation keeps every comparison with a threshold of ≤ 12 decimals exact (560000 ÷ 1200000
-- ÷ 7/12 is 0.8, not 0.7999…), which DuckDB's own DECIMAL ÷ DECIMAL (a DOUBLE) does not.
-- 38 digits with 6 decimals: city-wide sums cannot overflow.
create or replace macro exact_ratio(a, b) as
    case when b is null or b = 0 then null
         else ((a::decimal(38, 6) * 1000000)::hugeint * 1000000000000::hugeint
               // (b::decimal(38, 6) * 1000000)::hugeint)::decimal(38, 0) * 0.000000000001::decimal(38, 12)
    end;

-- cap1(x) → x's type                                        (docs/figures.md#exact-ratios)
--   takes:   x: a fraction (attainment, progress, pace) or null.
--   returns: 1 when x > 1, else x (0 and negatives unchanged); null stays null.
--   units:   x's own (1 = 100%, on schedule, full marks).
--   edges:   x = 1 exactly is 1; there is no lower cap.
-- DuckDB's least() ignores nulls: least(null, 1) is 1, which would give a missing figure full
-- marks.
create or replace macro cap1(x) as
    case when x is null then null when x > 1 then 1 else x end;

-- pace_light(r) → 'red' | 'yellow' | 'green' | 'grey'                 (docs/figures.md#lights)
--   takes:   r: a spending pace R = execution rate ÷ time progress (1.0 = on schedule).
--   returns: red r < pace_red_below (0.6), yellow r < pace_yellow_below (0.8), else green;
--            grey when r is null (a zero budget). Thresholds: table thresholds, rule
--            slow_spending, read as stored (a bureau's own lines).
--   units:   r a fraction; no unit.
--   edges:   r = 0.6 exactly is yellow, r = 0.8 exactly is green (lower bound included).
--            The large-project gap sub-rule is not here: this is the pace alone.
-- Uncorrelated subqueries: DuckDB reads each threshold once per query, not per row.
create or replace macro pace_light(r) as
    case
        when r is null then 'grey'
        when r < (select value from thresholds where rule_id = 'slow_spending' and name = 'pace_red_below') then 'red'
        when r < (select value from thresholds where rule_id = 'slow_spending' and name = 'pace_yellow_below') then 'yellow'
        else 'green'
    end;

-- progress_light(v) → 'red' | 'yellow' | 'green' | 'blue' | 'grey'   (docs/figures.md#lights)
--   takes:   v: an indicator's in-year progress (1.0 = on schedule), uncapped.
--   returns: red v < red_below (0.6), yellow v < yellow_below (0.8), blue v ≥ blue_at (1.2:
--            far ahead, a credibility check), else green; grey when v is null (不适用, no
--            value up to the month, or a qualitative level that cannot be told). Thresholds:
--            table thresholds, rule indicator_behind, as stored.
--   units:   v a fraction; no unit.
--   edges:   0.6 is yellow, 0.8 is green, 1.2 is blue (lower bounds included).
create or replace macro progress_light(v) as
    case
        when v is null then 'grey'
        when v < (select value from thresholds where rule_id = 'indicator_behind' and name = 'red_below') then 'red'
        when v < (select value from thresholds where rule_id = 'indicator_behind' and name = 'yellow_below') then 'yellow'
        when v >= (select value from thresholds where rule_id = 'indicator_behind' and name = 'blue_at') then 'blue'
        else 'green'
    end;

-- time_progress_parts(y, m) → table of one row (tp_num INTEGER, tp_den INTEGER)
--                                                              (docs/figures.md#time-progress)
--   takes:   y: the year; m: the as-of month 1–12.
--   returns: 序时进度 as num ÷ den: (m, 12) by default; with the setting
--            time_progress_basis = 'day', (days from 1 January to the last day of month m,
--            days in year y): (212, 365) for July 2025, (60, 366) for February 2024.
--   units:   months or days; tp_num ÷ tp_den is a fraction of the year.
--   edges:   m = 12 gives num = den. A setting missing from the table counts as 'month'.
-- Two integers rather than a ratio, so a query can multiply them out and stay exact.
create or replace macro time_progress_parts(y, m) as table
    select
        case when coalesce((select value from settings where key = 'time_progress_basis'), 'month') = 'day'
             then datediff('day', make_date(y, 1, 1), last_day(make_date(y, m, 1))) + 1
             else m end as tp_num,
        case when coalesce((select value from settings where key = 'time_progress_basis'), 'month') = 'day'
             then datediff('day', make_date(y, 1, 1), make_date(y + 1, 1, 1))
             else 12 end as tp_den;

-- scoped_projects(y, scope_departments, scope_sensitive) → table
--                                           (docs/figures.md#scope-and-sensitive-projects)
--   takes:   y: the year; scope_departments: VARCHAR[] of department codes, null = every
--            department; scope_sensitive: BOOLEAN, true = may see sensitive projects.
--   returns: every column of projects for year y in scope, plus department_name (the
--            department's name, else its code when it is not in departments) and
--            is_effectively_sensitive (the project or its department is sensitive).
--   units:   as in projects (money in 元).
--   edges:   an empty list [] is no department (nothing), not every department. Without the
--            right, a sensitive department hides all its projects.
create or replace macro scoped_projects(y, scope_departments, scope_sensitive) as table
    select
        p.*,
        coalesce(d.department_name, p.department_code) as department_name,
        (p.is_sensitive or coalesce(d.is_sensitive, false)) as is_effectively_sensitive
    from projects as p
    left join departments as d using (department_code)
    where p.year = y
      and (scope_departments is null or list_contains(scope_departments, p.department_code))
      and (scope_sensitive or not (p.is_sensitive or coalesce(d.is_sensitive, false)));

-- spend_to_month(y, m) → table (project_code, spent_yuan, last_month)
--                                                     (docs/figures.md#execution-rate-pace-and-gap)
--   takes:   y: the year; m: the as-of month 1–12.
--   returns: one row per project with any spending row in y up to m: spent_yuan = Σ over its
--            (fund source, economic class) keys of each key's latest cumulative value at or
--            before m (a month without a row carries the last value forward); last_month =
--            the latest month with a row up to m.
--   units:   spent_yuan in 元 (DECIMAL); last_month 1–12.
--   edges:   a project with no row up to m is absent (callers coalesce to 0); a key last
--            reported in February still counts in July. Negative cumulative values (reversals)
--            are summed as they are.
create or replace macro spend_to_month(y, m) as table
    with latest_per_key as (
        select project_code, fund_source, economic_class,
               arg_max(cumulative_yuan, month) as cumulative_yuan,
               max(month) as last_month
        from spending
        where year = y and month <= m
        group by project_code, fund_source, economic_class
    )
    select project_code, sum(cumulative_yuan) as spent_yuan, max(last_month) as last_month
    from latest_per_key
    group by project_code;

-- pefa_years(y) → table (year INTEGER, year_rank BIGINT)   (docs/figures.md#fiscal-reliability-pefa)
--   takes:   y: the last year asked for.
--   returns: the last three completed years up to y, year_rank 1 = the latest; a year is
--            complete when spending has a December (month 12) row for it, of any project.
--   units:   calendar years; year_rank 1–3.
--   edges:   fewer than three completed years: the ones there are (no row when none); a year
--            without December spending between two complete ones is passed over, not counted.
create or replace macro pefa_years(y) as table
    select year, year_rank
    from (
        select year, row_number() over (order by year desc) as year_rank
        from (select distinct year from spending where month = 12 and year <= y)
    )
    where year_rank <= 3;

-- pefa_heads(lvl, y, scope_departments, scope_sensitive) → table, one row per head, year and
--          sub-head                                         (docs/figures.md#fiscal-reliability-pefa)
--   takes:   lvl: 'city' (one head, everything in scope, over its districts), 'district' (each
--            district, over its departments) or 'department' (each department, over its budget
--            units); the functional view, 项目类别 as a second set of PI-2 heads:
--            'city_category' (the city over its 项目类别) or 'district_category' (each
--            district over its 项目类别); y: the last year asked for (the years of
--            pefa_years(y)); scope_departments, scope_sensitive: as in scoped_projects.
--   returns: level, code, name (the head: '全市' for the city; a district's name is its code;
--            a department's code and name), year, year_rank, sub_code, sub_name (the head one
--            level down), project_count, initial_budget_yuan (Σ 年初预算数), outturn_yuan (Σ
--            spend_to_month(year, 12): cumulative spending at December).
--   units:   money in 元 (DECIMAL); year_rank as in pefa_years.
--   edges:   a project without an initial budget counts 0 in the budget and its spending in the
--            outturn; a project with no spending row counts 0. A department with no district
--            is under '（未指定区）'; a project with no unit is under its department's code with
--            sub_name '（未指定单位）'; a project with no 项目类别 under '（未分类）'. Any other
--            lvl (null included): no row.
create or replace macro pefa_heads(lvl, y, scope_departments, scope_sensitive) as table
    with per_project as (
        select
            yr.year, yr.year_rank, p.department_code, p.department_name, p.unit_code,
            coalesce(p.category, '（未分类）') as category,
            coalesce(d.district_name, '（未指定区）') as district,
            coalesce(p.initial_budget_yuan, 0) as initial_budget_yuan,
            coalesce(s.spent_yuan, 0) as outturn_yuan
        from pefa_years(y) as yr,
            lateral scoped_projects(yr.year, scope_departments, scope_sensitive) as p
        left join departments as d on d.department_code = p.department_code
        left join spend_to_month(yr.year, 12) as s on s.project_code = p.project_code
    ),
    headed as (
        select
            lvl as level,
            case when lvl in ('city', 'city_category') then '全市'
                 when lvl in ('district', 'district_category') then pp.district
                 else pp.department_code end as code,
            case when lvl in ('city', 'city_category') then '全市'
                 when lvl in ('district', 'district_category') then pp.district
                 else pp.department_name end as name,
            pp.year, pp.year_rank,
            case lvl when 'city' then pp.district when 'district' then pp.department_code
                     when 'department' then coalesce(pp.unit_code, pp.department_code)
                     else pp.category end as sub_code,
            case lvl when 'city' then pp.district when 'district' then pp.department_name
                     when 'department' then coalesce(u.unit_name, pp.unit_code, '（未指定单位）')
                     else pp.category end as sub_name,
            pp.initial_budget_yuan, pp.outturn_yuan
        from per_project as pp
        left join units as u on u.unit_code = pp.unit_code
        where lvl in ('city', 'district', 'department', 'city_category', 'district_category')
    )
    select
        level, code, name, year, year_rank, sub_code, any_value(sub_name) as sub_name,
        count(*) as project_count,
        sum(initial_budget_yuan) as initial_budget_yuan,
        sum(outturn_yuan) as outturn_yuan
    from headed
    group by level, code, name, year, year_rank, sub_code;

-- indicator_figures(y, m, latest) → table, one row per indicator of year y
--                      (docs/figures.md#indicator-attainment, #in-year-progress)
--   takes:   y: the year; m: the as-of month 1–12; latest: BOOLEAN (below).
--   returns: every column of indicators, plus the actual used (actual_value, actual_text,
--            period_target, reason, claimed_score, actual_month, has_actual),
--            effective_points, cumulative_rule, qualitative_level, attainment (uncapped),
--            attainment_capped, progress (in-year v, uncapped) and is_output.
--   units:   attainment, progress and qualitative_level are fractions (1 = target met / on
--            schedule); effective_points in points; values in the indicator's own unit.
--   edges:   不适用: attainment and progress null, 0 points when the file gives none. No
--            actual: has_actual false, figures null. ≥/> on a zero target: 1 when actual ≥ 0,
--            else 0; = on a zero target: 1 only when actual = 0. ≤/<: 1 when actual ≤ target
--            (actual 0 included), else target ÷ actual, or with the setting
--            lower_is_better_method = 'linear' falling to 0 at 2 × target. A qualitative
--            actual whose level cannot be told: has_actual true, qualitative_level null.
--            Missing points: the level-1 weight (thresholds rule selfeval) split equally.
-- The one place these rules live, used by every query through the three macros below it.
-- latest = true: the standing at as-of month m, on each indicator's latest actual at or before
-- m (an indicator reported quarterly stands on its last report, docs/figures.md#settled-cases),
-- a row with neither a value nor a text not counting; has_actual is false only with no actual
-- at all up to m. latest = false: the actual for month m itself (a year-end judgement needs a
-- year-end value). actual_month is the month of the actual used; the progress of a cumulative
-- indicator is judged against that month's time progress (target × actual_month/12), or the
-- 序时目标值 imported on that actual's row.
create or replace macro indicator_figures(y, m, latest) as table
    with lower_method as (
        select coalesce((select value from settings where key = 'lower_is_better_method'), 'ratio') as method
    ),
    level_counts as (
        select project_code, level1, count(*) as n_in_level
        from indicators where year = y and operator <> '不适用'
        group by all
    ),
    -- level-1 weights (thresholds rule 'selfeval'), split equally where a file gives no 分值
    level_weights as (
        select
            case name when 'weight_output' then '产出指标' when 'weight_benefit' then '效益指标'
                      when 'weight_satisfaction' then '满意度指标' when 'weight_cost' then '成本指标'
            end as level1,
            value::decimal(8, 2) as level_points
        from thresholds
        where rule_id = 'selfeval' and name like 'weight_%' and name <> 'weight_execution'
    ),
    actual_at_month as (
        select *
        from indicator_actuals
        where year = y and month <= m
          and case when latest then actual_value is not null or nullif(trim(actual_text), '') is not null
                   else month = m end
        qualify month = max(month) over (partition by project_code, level1, level2, indicator_name)
    ),
    -- time progress of every month an actual can be for (at most 12 rows)
    month_parts as (
        select g.month, tp.tp_num, tp.tp_den
        from (select unnest(range(1, 13))::integer as month) as g,
             lateral time_progress_parts(y, g.month) as tp
    ),
    joined as (
        select
            i.*,
            a.actual_value, a.actual_text, a.period_target, a.reason, a.claimed_score,
            a.month is not null as has_actual,
            a.month as actual_month,
            coalesce(i.points,
                     case when i.operator = '不适用' then 0::decimal(8, 2)
                          else lw.level_points / lc.n_in_level end)::decimal(12, 6) as effective_points,
            coalesce(i.is_cumulative, i.level2 = '数量指标' and i.operator in ('≥', '>')) as cumulative_rule,
            -- the qualitative level of the actual: longer phrases first, since
            -- 部分达成预期指标 contains 达成预期指标
            case
                when i.operator <> '定性' or a.actual_text is null then null
                when a.actual_text like '%未达成%' or a.actual_text in ('否', '差') then 0.0
                when a.actual_text like '%部分达成%' or a.actual_text = '中' then 0.7
                when a.actual_text like '%基本达成%' or a.actual_text = '良' then 0.8
                when a.actual_text like '%达成%' or a.actual_text in ('完成', '是', '优') then 1.0
                when a.actual_text = i.target_text then 1.0
                when i.target_text is not null
                     and a.actual_text in ('基本' || i.target_text, '较' || i.target_text) then 0.8
            end::decimal(38, 12) as qualitative_level
        from indicators as i
        left join actual_at_month as a using (year, project_code, level1, level2, indicator_name)
        left join level_counts as lc using (project_code, level1)
        left join level_weights as lw using (level1)
        where i.year = y
    ),
    attained as (
        select
            j.*,
            case
                when j.operator = '不适用' or not j.has_actual then null
                when j.operator = '定性' then j.qualitative_level
                when j.actual_value is null then null
                when j.operator in ('≥', '>') and j.target_value = 0
                    then case when j.actual_value >= 0 then 1 else 0 end::decimal(38, 12)
                when j.operator = '=' and j.target_value = 0
                    then case when j.actual_value = 0 then 1 else 0 end::decimal(38, 12)
                when j.operator in ('≥', '>', '=') then exact_ratio(j.actual_value, j.target_value)
                when j.operator in ('≤', '<') and (select method from lower_method) = 'linear'
                    then case when j.actual_value <= j.target_value then 1::decimal(38, 12)
                              when j.target_value = 0 or j.actual_value >= 2 * j.target_value then 0::decimal(38, 12)
                              else exact_ratio(2 * j.target_value - j.actual_value, j.target_value) end
                when j.operator in ('≤', '<')
                    then case when j.actual_value <= j.target_value then 1::decimal(38, 12)
                              else exact_ratio(j.target_value, j.actual_value) end
            end as attainment
        from joined as j
    )
    select
        t.*,
        cap1(t.attainment) as attainment_capped,
        case
            when t.attainment is null then null
            when t.cumulative_rule and t.operator in ('≥', '>') and t.period_target is not null
                then exact_ratio(t.actual_value, t.period_target)
            when t.cumulative_rule and t.operator in ('≥', '>') and t.target_value <> 0
                then exact_ratio(t.actual_value * mp.tp_den, t.target_value * mp.tp_num)
            else t.attainment
        end as progress,
        t.level1 in ('产出指标', '成本指标') as is_output
    from attained as t
    left join month_parts as mp on mp.month = t.actual_month;

-- indicator_standing(y, m) → indicator_figures(y, m, true)     (docs/figures.md#in-year-progress)
--   takes:   y: the year; m: the as-of month 1–12.
--   returns: each indicator on its latest actual at or before m (columns as indicator_figures).
--   edges:   an indicator last reported in March stands at July on March's value, judged
--            against 3/12 (actual_month 3).
-- What every in-year figure, light and rule reads.
create or replace macro indicator_standing(y, m) as table
    select * from indicator_figures(y, m, true);

-- indicator_year_end(y) → indicator_figures(y, 12, false)  (docs/figures.md#indicator-attainment)
--   takes:   y: the year.
--   returns: each indicator on its December (month 12) actual only (columns as
--            indicator_figures).
--   edges:   an indicator last reported in September has has_actual false here.
-- For year-end judgements (target_not_met; self-evaluation).
create or replace macro indicator_year_end(y) as table
    select * from indicator_figures(y, 12, false);

-- indicator_progress(y, m) → indicator_figures(y, m, false)
--   takes:   y: the year; m: a month 1–12.
--   returns: each indicator on the actual for month m itself (columns as indicator_figures).
--   edges:   an earlier month's actual does not count (has_actual false).
-- As before quarterly reporting was read; kept for selfeval_exact, which calls it for month
-- 12 (= indicator_year_end). In-year figures read indicator_standing.
create or replace macro indicator_progress(y, m) as table
    select * from indicator_figures(y, m, false);

-- output_progress_of(points, progress, is_output, operator) → DECIMAL(38,12), an aggregate
--                                                             (docs/figures.md#output-progress)
--   takes:   columns of indicator_standing rows: effective points, in-year progress v,
--            is_output, operator.
--   returns: Σ points × cap1(v) ÷ Σ points over the rows that are output indicators, not
--            不适用 and have a v: (20 × 0.6 + 10 × min(1.5, 1)) ÷ 30 = 0.733333333333.
--   units:   a fraction, 1.0 = on schedule (the scale of the pace R).
--   edges:   null when no row qualifies, or when their points sum to 0.
-- An aggregate, so a query that already holds the rows need not evaluate the macro again.
create or replace macro output_progress_of(points, progress, is_output, operator) as
    exact_ratio(
        sum(points * cap1(progress)) filter (where is_output and operator <> '不适用' and progress is not null),
        sum(points) filter (where is_output and operator <> '不适用' and progress is not null)
    );

-- output_progress_exact(y, m) → table (project_code, output_indicator_count, reported_count,
--                                      output_progress, oldest_actual_month)
--                                                             (docs/figures.md#output-progress)
--   takes:   y: the year; m: the as-of month 1–12.
--   returns: one row per project with an applicable output indicator (产出指标, or a level-1
--            成本指标): how many it has, how many have a v up to m, output_progress_of over
--            them, and the earliest actual_month among those used.
--   units:   output_progress a fraction (1.0 = on schedule); counts; a month 1–12.
--   edges:   a project whose output indicators are all 不适用, or that has none, is absent;
--            one with none reported has output_progress and oldest_actual_month null.
-- Each indicator stands on its latest actual at or before m (indicator_standing).
create or replace macro output_progress_exact(y, m) as table
    select
        project_code,
        count(*) as output_indicator_count,
        count(*) filter (where progress is not null) as reported_count,
        output_progress_of(effective_points, progress, is_output, operator) as output_progress,
        min(actual_month) filter (where progress is not null) as oldest_actual_month
    from indicator_standing(y, m)
    where is_output and operator <> '不适用'
    group by project_code;

-- execution_exact(y, m) → table, one row per project of year y (no scope)
--                                   (docs/figures.md#execution-rate-pace-and-gap, #forecast-and-balance)
--   takes:   y: the year; m: the as-of month 1–12.
--   returns: project_code, adjusted_budget_yuan, spent_yuan (spend_to_month, 0 without a
--            row), execution_rate = spent ÷ adjusted budget, time_progress, pace = rate ÷
--            time progress, gap_pp = (rate − time progress) × 100, last_reported_month (the
--            latest month with a row in the whole year), is_reported (last_reported_month ≥ m),
--            forecast_yuan (Σ 全年预计执行数 of the latest month ≤ m that has one) and
--            forecast_balance_rate = (adjusted budget − forecast) ÷ adjusted budget.
--   units:   *_yuan in 元; rates fractions; gap_pp in percentage points (negative = behind).
--   edges:   adjusted budget 0: execution_rate, pace, gap_pp and forecast_balance_rate null.
--            No spending row at all: spent 0, is_reported false. No forecast imported up to
--            m: forecast_yuan and forecast_balance_rate null.
-- Each figure is one exact ratio of the exact sums (pace = spent × den ÷ (budget × num)), never
-- a ratio of rounded ratios.
create or replace macro execution_exact(y, m) as table
    with tp as (
        select tp_num, tp_den from time_progress_parts(y, m)
    ),
    reported as (
        select project_code, max(month) as last_reported_month
        from spending where year = y group by project_code
    ),
    -- 全年预计执行数 from the latest month at or before m that carries one
    forecast as (
        select project_code, sum(forecast_yuan) as forecast_yuan
        from (
            select project_code, month, forecast_yuan,
                   max(month) over (partition by project_code) as latest_forecast_month
            from spending
            where year = y and month <= m and forecast_yuan is not null
        )
        where month = latest_forecast_month
        group by project_code
    ),
    base as (
        select
            p.project_code,
            p.adjusted_budget_yuan,
            coalesce(s.spent_yuan, 0)::decimal(18, 2) as spent_yuan,
            tp.tp_num, tp.tp_den,
            r.last_reported_month,
            f.forecast_yuan
        from projects as p
        cross join tp
        left join spend_to_month(y, m) as s using (project_code)
        left join reported as r using (project_code)
        left join forecast as f using (project_code)
        where p.year = y
    )
    select
        project_code,
        adjusted_budget_yuan,
        spent_yuan,
        exact_ratio(spent_yuan, adjusted_budget_yuan) as execution_rate,
        exact_ratio(tp_num, tp_den) as time_progress,
        exact_ratio(spent_yuan * tp_den, adjusted_budget_yuan * tp_num) as pace,
        exact_ratio((spent_yuan * tp_den - adjusted_budget_yuan * tp_num) * 100,
                    adjusted_budget_yuan * tp_den) as gap_pp,
        last_reported_month,
        coalesce(last_reported_month >= m, false) as is_reported,
        forecast_yuan,
        exact_ratio(adjusted_budget_yuan - forecast_yuan, adjusted_budget_yuan) as forecast_balance_rate
    from base;


-- selfeval_exact(y) → table, one row per project evaluated in year y (no scope)
--                 (docs/figures.md#self-evaluation-scoring, #self-evaluation-status)
--   takes:   y: the year.
--   returns: project_code, project_name, department_code, department, budget_type,
--            execution_rate (at December), execution_score, indicator_score, total_score,
--            claimed_total_score, file_grade, indicator_count, qualitative_adjusted_count,
--            unclassified_count, points_total, status, missing_indicator_count, grade,
--            claimed_grade, is_over_scored.
--   units:   scores in points; total_score on 100; execution_rate a fraction.
--   edges:   社会保险基金预算 projects are left out. A zero budget (no rate): the execution
--            points leave the denominator, as 不适用 indicators do. A qualitative 得分 outside
--            its level's band is replaced by points × the level's factor (counted in
--            qualitative_adjusted_count). Grade bounds are included (90 is 优). Status other
--            than 'complete': execution_score, indicator_score, total_score, grade and
--            is_over_scored are null; the claims stay.
-- queries/project_selfeval.sql gives the rules in words. status: 'none' with neither a
-- self-evaluation table nor any year-end (month 12) indicator row; 'incomplete' while an
-- applicable indicator has no year-end 实际完成值 (a claimed 得分 alone is not one); else
-- 'complete'.
create or replace macro selfeval_exact(y) as table
    with
    weights as (
        select
            max(value) filter (where name = 'weight_execution') as execution_points,
            max(value) filter (where name = 'grade_excellent_at') as excellent_at,
            max(value) filter (where name = 'grade_good_at') as good_at,
            max(value) filter (where name = 'grade_pass_at') as pass_at
        from thresholds
        where rule_id = 'selfeval'
    ),
    
    projects_in_scope as (
        select *
        from scoped_projects(y, null, true)
        where budget_type is null or budget_type <> '社会保险基金预算'
    ),
    
    execution as (
        select
            p.project_code,
            e.execution_rate,
            coalesce(s.execution_points, w.execution_points) as execution_points,
            coalesce(s.execution_points, w.execution_points) * cap1(e.execution_rate) as execution_score,
            s.claimed_execution_score,
            s.claimed_total_score as file_total_score,
            s.claimed_grade as file_grade,
            s.project_code is not null as has_table
        from projects_in_scope as p
        inner join execution_exact(y, 12) as e using (project_code)
        cross join weights as w
        left join self_evaluations as s on s.year = y and s.project_code = p.project_code
    ),
    
    indicator_scores as (
        select
            i.project_code,
            i.effective_points as points,
            i.claimed_score,
            i.operator = '定性' as is_qualitative,
            i.operator = '定性' and i.has_actual and i.qualitative_level is null as is_unclassified,
            -- the band of the file's 得分 the level allows, as fractions of the points
            case when i.qualitative_level >= 0.8 then 0.8 when i.qualitative_level >= 0.6 then 0.6 else 0 end as band_low,
            case when i.qualitative_level >= 0.8 then 1.0 when i.qualitative_level >= 0.6 then 0.8 else 0.6 end as band_high,
            i.qualitative_level >= 0.8 as band_high_included,
            i.qualitative_level,
            i.attainment_capped,
            i.has_actual,
            -- a 实际完成值, a number or words; a row holding only the unit's 得分 has none
            i.actual_value is not null or nullif(trim(i.actual_text), '') is not null as has_value
        from indicator_progress(y, 12) as i
        where i.operator <> '不适用'
    ),
    
    scored as (
        select
            *,
            case
                when not is_qualitative then points * coalesce(attainment_capped, 0)
                when is_unclassified then coalesce(claimed_score, 0)
                when qualitative_level is null then 0
                when claimed_score >= points * band_low
                     and (claimed_score < points * band_high
                          or band_high_included and claimed_score <= points * band_high)
                    then claimed_score
                else points * qualitative_level
            end as score,
            is_qualitative and qualitative_level is not null and claimed_score is not null
                and not (claimed_score >= points * band_low
                         and (claimed_score < points * band_high
                              or band_high_included and claimed_score <= points * band_high))
                as is_adjusted
        from indicator_scores
    ),
    
    by_project as (
        select
            project_code,
            count(*) as indicator_count,
            sum(points) as points_total,
            sum(score) as indicator_score,
            sum(claimed_score) as claimed_indicator_score,
            count(*) filter (where is_adjusted) as qualitative_adjusted_count,
            count(*) filter (where is_unclassified) as unclassified_count,
            count(*) filter (where has_actual) as year_end_row_count,
            count(*) filter (where not has_value) as missing_indicator_count
        from scored
        group by project_code
    ),

    status as (
        select
            x.project_code,
            coalesce(b.missing_indicator_count, 0) as missing_indicator_count,
            case
                when not x.has_table and coalesce(b.year_end_row_count, 0) = 0 then 'none'
                when coalesce(b.missing_indicator_count, 0) > 0 then 'incomplete'
                else 'complete'
            end as status
        from execution as x
        left join by_project as b using (project_code)
    ),
    
    totals as (
        select
            p.project_code, p.project_name, p.department_code, p.department_name as department,
            p.budget_type,
            x.execution_rate,
            case when st.status = 'complete' then x.execution_score end as execution_score,
            case when st.status = 'complete' then coalesce(b.indicator_score, 0) end as indicator_score,
            -- rescaled to 100 over the applicable items (execution included)
            case when st.status = 'complete' then exact_ratio(
                (coalesce(x.execution_score, 0) + coalesce(b.indicator_score, 0)) * 100,
                case when x.execution_rate is null then 0 else x.execution_points end
                    + coalesce(b.points_total, 0)
            ) end as total_score,
            coalesce(x.file_total_score, b.claimed_indicator_score + x.claimed_execution_score,
                     b.claimed_indicator_score) as claimed_total_score,
            x.file_grade,
            coalesce(b.indicator_count, 0) as indicator_count,
            coalesce(b.qualitative_adjusted_count, 0) as qualitative_adjusted_count,
            coalesce(b.unclassified_count, 0) as unclassified_count,
            b.points_total,
            st.status,
            st.missing_indicator_count
        from projects_in_scope as p
        inner join execution as x using (project_code)
        inner join status as st using (project_code)
        left join by_project as b using (project_code)
    ),
    
    graded as (
        select
            t.*,
            case
                when t.total_score is null then null
                when t.total_score >= w.excellent_at then '优'
                when t.total_score >= w.good_at then '良'
                when t.total_score >= w.pass_at then '中'
                else '差'
            end as grade,
            coalesce(t.file_grade, case
                when t.claimed_total_score is null then null
                when t.claimed_total_score >= w.excellent_at then '优'
                when t.claimed_total_score >= w.good_at then '良'
                when t.claimed_total_score >= w.pass_at then '中'
                else '差'
            end) as claimed_grade
        from totals as t
        cross join weights as w
    )
    select
        *,
        case when status = 'complete' then
            coalesce(list_position(['差', '中', '良', '优'], claimed_grade)
                     > list_position(['差', '中', '良', '优'], grade), false)
        end as is_over_scored
    from graded;

-- cost_units(y) → table, one row per project of year y with a cost row (no scope)
--                                             (docs/figures.md#cost-benchmarking, #unit-cost-and-reference)
--   takes:   y: the year.
--   returns: project_code, service_class (一类事), output_unit, total_cost_yuan (Σ amount),
--            output_quantity (the project's, from its cost rows), unit_cost = total ÷ quantity,
--            the items personnel_yuan (人员成本), equipment_yuan (设施设备), operation_yuan
--            (运行维护), management_yuan (管理费用), other_yuan (其他 and any other item), and
--            excluded_reason: null for a peer, else the first of 'no_class' (no 一类事),
--            'no_output_quantity' (no output quantity, or no output unit), 'inconsistent_rows'
--            (its cost rows give different output quantities or units).
--   units:   *_yuan in 元 (DECIMAL); output_quantity in output_unit; unit_cost 元 per
--            output_unit, DECIMAL(38,12) (exact_ratio).
--   edges:   unit_cost is null when there is no quantity or the rows disagree (which one would
--            it be?); a project without a class keeps its unit cost but is nobody's peer. A row
--            without a quantity beside rows with one is not inconsistent: the quantity must
--            agree only where it is repeated. Cost rows of a code with no project that year are
--            left out. Projects of another output unit are peers of their own unit, never of
--            this one: "another unit" is said by a class view (queries/project_cost_benchmark.sql).
create or replace macro cost_units(y) as table
    with by_project as (
        select
            c.project_code,
            p.service_class,
            any_value(c.output_unit) as output_unit,
            sum(c.amount_yuan) as total_cost_yuan,
            min(c.output_quantity) as output_quantity,
            count(distinct c.output_quantity) <= 1 and count(distinct c.output_unit) <= 1 as is_consistent,
            coalesce(sum(c.amount_yuan) filter (where c.cost_item = '人员成本'), 0) as personnel_yuan,
            coalesce(sum(c.amount_yuan) filter (where c.cost_item = '设施设备'), 0) as equipment_yuan,
            coalesce(sum(c.amount_yuan) filter (where c.cost_item = '运行维护'), 0) as operation_yuan,
            coalesce(sum(c.amount_yuan) filter (where c.cost_item = '管理费用'), 0) as management_yuan,
            coalesce(sum(c.amount_yuan) filter (
                where c.cost_item not in ('人员成本', '设施设备', '运行维护', '管理费用')), 0) as other_yuan
        from costs as c
        inner join projects as p on p.year = c.year and p.project_code = c.project_code
        where c.year = y
        group by c.project_code, p.service_class
    )
    select
        project_code, service_class, output_unit, total_cost_yuan, output_quantity,
        case when is_consistent and output_quantity is not null
             then exact_ratio(total_cost_yuan, output_quantity) end as unit_cost,
        personnel_yuan, equipment_yuan, operation_yuan, management_yuan, other_yuan,
        case
            when nullif(trim(service_class), '') is null then 'no_class'
            when output_quantity is null or nullif(trim(output_unit), '') is null then 'no_output_quantity'
            when not is_consistent then 'inconsistent_rows'
        end as excluded_reason
    from by_project;

-- cost_class_stats(y) → table, one row per (service_class, output_unit) of year y with a peer
--                                             (docs/figures.md#cost-benchmarking, #unit-cost-and-reference)
--   takes:   y: the year.
--   returns: service_class, output_unit, project_count (the peers: cost_units rows without an
--            excluded_reason, outliers included), median_unit_cost, p25_unit_cost,
--            p75_unit_cost (quantile_cont: linear interpolation, 4, 5, 6, 8, 12 → 5, 6, 8),
--            lower_fence, upper_fence (Tukey: P25 − 1.5·IQR, P75 + 1.5·IQR), outlier_count,
--            suggested_standard (平均先进值: the outliers dropped, the mean m of the rest, the
--            mean of those ≤ m; 4, 5, 6, 8, 12, 40 → 5), meeting_suggested_count (peers at or
--            below it, outliers included), standard_unit_cost_yuan (the 成本定额标准 of class,
--            unit and year y), reference_unit_cost (the cost_above_reference rule's: the
--            standard, else the median when project_count ≥ cost_above_reference.min_peers),
--            reference_basis ('standard' | 'median' | null), above_reference_count (peers with
--            unit cost > the reference).
--   units:   unit costs, fences and the suggestion in 元 per output_unit, DECIMAL(38,12).
--   edges:   a value exactly at a fence is not an outlier (n = 1 or ties: IQR 0, nothing is).
--            The suggestion needs ≥ 5 peers before the outliers are dropped, else null (and
--            meeting_suggested_count null). The median of an even count is the mean of the two
--            middle values. Every project of the year counts, not only those in a user's scope:
--            a benchmark does not move with the user. A standard with no peer has no row.
-- m is compared as unit cost × count ≤ Σ (exact); the means are exact_ratio (12 decimals).
create or replace macro cost_class_stats(y) as table
    with peers as (
        select service_class, output_unit, unit_cost
        from cost_units(y)
        where excluded_reason is null
    ),
    quartiles as (
        select
            service_class, output_unit,
            count(*) as project_count,
            quantile_cont(unit_cost, 0.5) as median_unit_cost,
            quantile_cont(unit_cost, 0.25) as p25_unit_cost,
            quantile_cont(unit_cost, 0.75) as p75_unit_cost
        from peers
        group by service_class, output_unit
    ),
    fenced as (
        select
            q.*,
            q.p25_unit_cost - 1.5 * (q.p75_unit_cost - q.p25_unit_cost) as lower_fence,
            q.p75_unit_cost + 1.5 * (q.p75_unit_cost - q.p25_unit_cost) as upper_fence
        from quartiles as q
    ),
    judged as (
        select
            p.service_class, p.output_unit, p.unit_cost,
            p.unit_cost < f.lower_fence or p.unit_cost > f.upper_fence as is_outlier
        from peers as p
        inner join fenced as f using (service_class, output_unit)
    ),
    kept_mean as (
        select service_class, output_unit,
               sum(unit_cost) as kept_sum, count(*) as kept_count
        from judged
        where not is_outlier
        group by service_class, output_unit
    ),
    advanced as (
        -- the advanced side of the mean: unit cost ≤ m, i.e. unit cost × count ≤ Σ
        select j.service_class, j.output_unit,
               exact_ratio(sum(j.unit_cost), count(*)) as advanced_mean
        from judged as j
        inner join kept_mean as k using (service_class, output_unit)
        where not j.is_outlier and j.unit_cost * k.kept_count <= k.kept_sum
        group by j.service_class, j.output_unit
    ),
    limits as (
        select value as min_peers
        from thresholds
        where rule_id = 'cost_above_reference' and name = 'min_peers'
    ),
    classes as (
        select
            f.*,
            case when f.project_count >= 5 then a.advanced_mean end as suggested_standard,
            s.standard_unit_cost_yuan,
            case when s.standard_unit_cost_yuan is not null then 'standard'
                 when f.project_count >= l.min_peers then 'median' end as reference_basis,
            case when s.standard_unit_cost_yuan is not null then s.standard_unit_cost_yuan::decimal(38, 12)
                 when f.project_count >= l.min_peers then f.median_unit_cost end as reference_unit_cost
        from fenced as f
        cross join limits as l
        left join advanced as a using (service_class, output_unit)
        left join cost_standards as s
            on s.year = y and s.service_class = f.service_class and s.output_unit = f.output_unit
    ),
    counted as (
        select
            c.service_class, c.output_unit,
            count(*) filter (where j.is_outlier) as outlier_count,
            case when any_value(c.suggested_standard) is not null
                 then count(*) filter (where j.unit_cost <= c.suggested_standard) end as meeting_suggested_count,
            count(*) filter (where j.unit_cost > c.reference_unit_cost) as above_reference_count
        from classes as c
        inner join judged as j using (service_class, output_unit)
        group by c.service_class, c.output_unit
    )
    select
        c.service_class, c.output_unit, c.project_count,
        c.median_unit_cost, c.p25_unit_cost, c.p75_unit_cost, c.lower_fence, c.upper_fence,
        n.outlier_count, c.suggested_standard, n.meeting_suggested_count,
        c.standard_unit_cost_yuan, c.reference_unit_cost, c.reference_basis,
        n.above_reference_count
    from classes as c
    inner join counted as n using (service_class, output_unit);

-- cost_project_figures(y) → table, one row per project of year y with a cost row (no scope)
--                                             (docs/figures.md#cost-benchmarking, #unit-cost-and-reference)
--   takes:   y: the year.
--   returns: every column of cost_units, plus project_count (its class's peers),
--            is_outlier (outside its class's Tukey fences), the item shares personnel_share,
--            equipment_share, operation_share, management_share, other_share (item ÷ total
--            cost), reference_unit_cost and reference_basis (its class's, as cost_class_stats:
--            'standard' | 'median' | null) and deviation = unit cost ÷ reference − 1; then
--            suggested_standard (its class's 平均先进值, as cost_class_stats) and
--            suggested_deviation = unit cost ÷ suggested standard − 1.
--   units:   shares and deviation fractions (DECIMAL(38,12)); money as in cost_units.
--   edges:   an excluded project (excluded_reason not null) has no is_outlier, reference,
--            basis, deviation or suggestion: it is compared with nobody. A class without a
--            suggestion (< 5 peers) gives no suggested_deviation. A zero total cost has no shares.
--            A project counts among its own class's peers (the median includes it).
-- What the cost_above_reference rule judges (queries/warning_cost_above_reference.sql).
create or replace macro cost_project_figures(y) as table
    select
        u.*,
        s.project_count,
        case when u.excluded_reason is null
             then u.unit_cost < s.lower_fence or u.unit_cost > s.upper_fence end as is_outlier,
        exact_ratio(u.personnel_yuan, u.total_cost_yuan) as personnel_share,
        exact_ratio(u.equipment_yuan, u.total_cost_yuan) as equipment_share,
        exact_ratio(u.operation_yuan, u.total_cost_yuan) as operation_share,
        exact_ratio(u.management_yuan, u.total_cost_yuan) as management_share,
        exact_ratio(u.other_yuan, u.total_cost_yuan) as other_share,
        case when u.excluded_reason is null then s.reference_unit_cost end as reference_unit_cost,
        case when u.excluded_reason is null then s.reference_basis end as reference_basis,
        case when u.excluded_reason is null
             then exact_ratio(u.unit_cost - s.reference_unit_cost, s.reference_unit_cost) end as deviation,
        case when u.excluded_reason is null then s.suggested_standard end as suggested_standard,
        case when u.excluded_reason is null
             then exact_ratio(u.unit_cost - s.suggested_standard, s.suggested_standard) end as suggested_deviation
    from cost_units(y) as u
    left join cost_class_stats(y) as s
        on s.service_class = u.service_class and s.output_unit = u.output_unit;
