//! The two languages of the site and the words the generator itself writes.

use serde::Serialize;

pub use experiments::Lang;

/// Words of the interface, in one language.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Ui {
    /// The language of these words.
    #[serde(skip)]
    pub lang: Lang,
    /// Site and page words.
    pub site_title: &'static str,
    /// "Study notes"
    pub notes: &'static str,
    /// "Contents"
    pub contents: &'static str,
    /// "Previous"
    pub previous: &'static str,
    /// "Next"
    pub next: &'static str,
    /// "Tags"
    pub tags: &'static str,
    /// "Experiments"
    pub experiments: &'static str,
    /// "Interview drill"
    pub drill: &'static str,
    /// "Search"
    pub search: &'static str,
    /// "Quiz"
    pub quiz: &'static str,
    /// "Answer"
    pub answer: &'static str,
    /// "Check"
    pub check: &'static str,
    /// "Retry missed"
    pub retry: &'static str,
    /// "Level"
    pub level: &'static str,
    /// Level names, 1 to 3.
    pub levels: [&'static str; 3],
    /// "Data"
    pub data: &'static str,
    /// "Reproduce"
    pub reproduce: &'static str,
    /// "Parameters"
    pub parameters: &'static str,
    /// "Values"
    pub values: &'static str,
    /// "Code fingerprint"
    pub fingerprint: &'static str,
    /// "Used in"
    pub used_in: &'static str,
    /// "checked when the site was built"
    pub checked: &'static str,
    /// "Myth vs measured"
    pub myth: &'static str,
    /// "Note"
    pub note: &'static str,
    /// "Tip"
    pub tip: &'static str,
    /// "Warning"
    pub warning: &'static str,
    /// "Dark mode"
    pub theme: &'static str,
    /// "Correct"
    pub correct: &'static str,
    /// "Not quite"
    pub wrong: &'static str,
    /// "Score"
    pub score: &'static str,
    /// "Type your answer"
    pub your_answer: &'static str,
    /// "Page not found"
    pub not_found: &'static str,
    /// "questions"
    pub questions: &'static str,
    /// "Anki deck"
    pub anki: &'static str,
    /// "Simulated"
    pub simulated: &'static str,
    /// "Show all answers"
    pub show_all: &'static str,
    /// Drill filter label.
    pub topic: &'static str,
    /// Drill filter: every topic.
    pub all_topics: &'static str,
    /// Before the chart that backs an answer.
    pub see_chart: &'static str,
    /// "Trace for Perfetto" (a timeline's Chrome trace-event file)
    pub trace_download: &'static str,
    /// "Run it on your own machine"
    pub own_machine: &'static str,
    /// What a reproduction script does.
    pub own_machine_intro: &'static str,
    /// How to read a difference.
    pub own_machine_read: &'static str,
    /// Before the section that backs an answer.
    pub see_section: &'static str,
    /// Forget a quiz's answers
    pub reset: &'static str,
    /// The landing page's description
    pub landing: &'static str,
    /// The index's description
    pub index_description: &'static str,
    /// The tag list's description
    pub tags_description: &'static str,
    /// The experiment list's description
    pub experiments_description: &'static str,
    /// The drill's description
    pub drill_description: &'static str,
    /// "Cheat sheet"
    pub cheatsheet: &'static str,
    /// The cheat sheet's description
    pub cheatsheet_description: &'static str,
    /// "Myths" on the cheat sheet
    pub myths: &'static str,
    /// "The whole book"
    pub print_book: &'static str,
    /// The print page's description
    pub print_description: &'static str,
    /// "Menu"
    pub menu: &'static str,
    /// "Chapters"
    pub chapters: &'static str,
    /// "Edit this page"
    pub edit_page: &'static str,
    /// Says a note is not translated yet
    pub not_translated: &'static str,
    /// Before the link to the other language's note
    pub read_it: &'static str,
    /// After a language name on the index
    pub only_in: &'static str,
    /// "Practice" on a note
    pub practice: &'static str,
    /// "Flashcards"
    pub flashcards: &'static str,
    /// "Mock interview"
    pub mock: &'static str,
    /// "Progress"
    pub progress: &'static str,
    /// "Print"
    pub print_note: &'static str,
    /// "All questions" (the drill's list)
    pub list_mode: &'static str,
    /// "Shuffle"
    pub shuffle: &'static str,
    /// "Missed only"
    pub missed_only: &'static str,
    /// "Due only"
    pub due_only: &'static str,
    /// "Export progress"
    pub export: &'static str,
    /// "Import progress"
    pub import: &'static str,
    /// Drill filter: every level
    pub all_levels: &'static str,
    /// The skip link
    pub skip: &'static str,
    /// This language's own name
    pub lang_name: &'static str,
}

static EN: Ui = Ui {
    lang: Lang::En,
    site_title: "gil-lab",
    notes: "Study notes",
    contents: "On this page",
    previous: "Previous",
    next: "Next",
    tags: "Tags",
    experiments: "Experiments",
    drill: "Interview drill",
    search: "Search",
    quiz: "Quiz",
    answer: "Answer",
    check: "Check",
    retry: "Retry the missed ones",
    level: "Level",
    levels: ["basic", "applied", "practice"],
    data: "Data",
    reproduce: "Reproduce",
    parameters: "Parameters",
    values: "Values",
    fingerprint: "Simulator code fingerprint",
    used_in: "Used in",
    checked: "checked when the site was built",
    myth: "Myth vs measured",
    note: "Note",
    tip: "Tip",
    warning: "Warning",
    theme: "Toggle dark mode",
    correct: "Correct",
    wrong: "Not quite",
    score: "Score",
    your_answer: "Type your answer",
    not_found: "Page not found",
    questions: "questions",
    anki: "Anki deck",
    simulated: "Simulated with gil-lab's model, not measured on real CPython.",
    show_all: "Show every answer",
    topic: "Topic",
    all_topics: "All topics",
    see_chart: "See the chart",
    trace_download: "Trace for Perfetto or chrome://tracing",
    own_machine: "Run it on your own machine",
    own_machine_intro: "A short Python script, standard library only, measures the same ratio with your interpreter on your machine and prints it beside the model's prediction and, where gil-lab has one, its own measurement of real CPython. It takes a few seconds; --quick takes about one.",
    own_machine_read: "Expect a difference, and read it: the number of cores, the OS scheduler, the Python version (3.12, 3.13, a free-threaded build) and whatever else the machine is doing all move the numbers. The direction and the rough size should agree; each script says what its ratio means at either end.",
    see_section: "See the section",
    reset: "Start over",
    landing: "How the CPython GIL, threads, processes, asyncio and WSGI servers really behave: study notes in English and Korean with simulated experiments and interview questions.",
    index_description: "Study notes on the CPython GIL in curriculum order, each with experiments and an interview quiz.",
    tags_description: "Study notes by tag.",
    experiments_description: "Every simulated experiment behind the notes, with its data and the command that reproduces it.",
    drill_description: "Every interview question of the notes: flashcards, spaced repetition, progress and mock interviews.",
    cheatsheet: "Cheat sheet",
    cheatsheet_description: "Each note on one screen: what to say in an interview, and the myths the measurements contradict.",
    myths: "Myth vs measured",
    print_book: "The whole book (print)",
    print_description: "Every note on one page, for printing.",
    menu: "Menu",
    chapters: "Chapters",
    edit_page: "Edit this page",
    not_translated: "This note is not translated yet.",
    read_it: "Read it in",
    only_in: "only",
    practice: "Practise this note",
    flashcards: "Flashcards",
    mock: "Mock interview",
    progress: "Progress",
    print_note: "Print",
    list_mode: "All questions",
    shuffle: "Shuffle",
    missed_only: "Missed only",
    due_only: "Due today only",
    export: "Export progress",
    import: "Import progress",
    all_levels: "All levels",
    skip: "Skip to content",
    lang_name: "English",
};

static KO: Ui = Ui {
    lang: Lang::Ko,
    site_title: "gil-lab",
    notes: "학습 노트",
    contents: "이 페이지의 내용",
    previous: "이전",
    next: "다음",
    tags: "태그",
    experiments: "실험",
    drill: "면접 대비 문제",
    search: "검색",
    quiz: "퀴즈",
    answer: "정답",
    check: "채점",
    retry: "틀린 문제 다시 풀기",
    level: "난이도",
    levels: ["기초", "응용", "실전"],
    data: "데이터",
    reproduce: "재현 명령",
    parameters: "매개변수",
    values: "값",
    fingerprint: "시뮬레이터 코드 지문",
    used_in: "사용한 노트",
    checked: "사이트를 빌드할 때 검증함",
    myth: "통념과 측정",
    note: "참고",
    tip: "팁",
    warning: "주의",
    theme: "다크 모드 전환",
    correct: "정답입니다",
    wrong: "아쉽네요",
    score: "점수",
    your_answer: "답을 입력하세요",
    not_found: "페이지를 찾을 수 없습니다",
    questions: "문제",
    anki: "Anki 덱",
    simulated: "gil-lab 모델로 시뮬레이션한 결과이며, 실제 CPython에서 측정한 값이 아닙니다.",
    show_all: "모든 정답 보기",
    topic: "주제",
    all_topics: "모든 주제",
    see_chart: "근거가 되는 차트",
    trace_download: "Perfetto·chrome://tracing용 트레이스",
    own_machine: "내 컴퓨터에서 돌려 보기",
    own_machine_intro: "표준 라이브러리만 쓰는 짧은 파이썬 스크립트가 내 컴퓨터의 인터프리터로 같은 비율을 재고, 모델의 예측과 (있다면) gil-lab이 실제 CPython에서 잰 값을 나란히 출력한다. 몇 초면 끝나고, --quick은 1초 남짓 걸린다.",
    own_machine_read: "차이는 당연히 난다. 코어 수, OS 스케줄러, 파이썬 버전(3.12, 3.13, free-threaded 빌드), 그 컴퓨터에서 함께 도는 일이 모두 숫자를 바꾼다. 방향과 대략의 크기가 맞으면 된다. 비율이 양 끝에서 무엇을 뜻하는지는 스크립트가 출력한다.",
    see_section: "근거가 되는 절",
    reset: "처음부터 다시",
    landing: "CPython의 GIL, 스레드, 프로세스, asyncio, WSGI 서버가 실제로 어떻게 동작하는지: 시뮬레이션 실험과 면접 문제가 있는 한국어·영어 학습 노트.",
    index_description: "CPython GIL 학습 노트를 커리큘럼 순서로 모았습니다. 노트마다 실험과 면접 퀴즈가 있습니다.",
    tags_description: "태그별 학습 노트.",
    experiments_description: "노트의 근거가 되는 모든 시뮬레이션 실험과 데이터, 재현 명령.",
    drill_description: "모든 노트의 면접 문제: 플래시카드, 간격 반복, 진행 상황, 모의 면접.",
    cheatsheet: "요약 노트",
    cheatsheet_description: "노트마다 한 화면: 면접에서 할 말과 측정이 반박한 통념.",
    myths: "통념과 측정",
    print_book: "전체 노트 (인쇄용)",
    print_description: "인쇄용으로 모든 노트를 한 페이지에 모았습니다.",
    menu: "메뉴",
    chapters: "장",
    edit_page: "이 페이지 고치기",
    not_translated: "이 노트는 아직 번역되지 않았습니다.",
    read_it: "다른 언어로 읽기:",
    only_in: "만 있음",
    practice: "이 노트 연습하기",
    flashcards: "플래시카드",
    mock: "모의 면접",
    progress: "진행 상황",
    print_note: "인쇄",
    list_mode: "모든 문제",
    shuffle: "섞기",
    missed_only: "틀린 문제만",
    due_only: "오늘 복습할 문제만",
    export: "진행 상황 내보내기",
    import: "진행 상황 가져오기",
    all_levels: "모든 난이도",
    skip: "본문으로 건너뛰기",
    lang_name: "한국어",
};

/// The interface words of `lang`.
pub fn ui(lang: Lang) -> &'static Ui {
    match lang {
        Lang::En => &EN,
        Lang::Ko => &KO,
    }
}

/// Words the page scripts write (given to them as JSON in every page).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Js {
    /// "No results"
    pub no_results: &'static str,
    /// "Show more results"
    pub more_results: &'static str,
    /// "{n} results"
    pub results: &'static str,
    /// "Correct"
    pub correct: &'static str,
    /// "Not quite"
    pub wrong: &'static str,
    /// "The answer:"
    pub answer_is: &'static str,
    /// "Score"
    pub score: &'static str,
    /// "answered"
    pub answered: &'static str,
    /// "Pick or type an answer first."
    pub answer_first: &'static str,
    /// "Copy"
    pub copy: &'static str,
    /// "Copied"
    pub copied: &'static str,
    /// "{i} of {n}"
    pub card_of: &'static str,
    /// "Show the answer"
    pub reveal: &'static str,
    /// "I knew it"
    pub knew: &'static str,
    /// "I didn't"
    pub missed: &'static str,
    /// "Done: {right} of {n} known."
    pub session_done: &'static str,
    /// "No question matches these filters."
    pub no_cards: &'static str,
    /// "{n} due today"
    pub due_today: &'static str,
    /// "Nothing due today."
    pub nothing_due: &'static str,
    /// "Imported progress for {n} questions."
    pub imported: &'static str,
    /// "This file is not gil-lab progress."
    pub import_failed: &'static str,
    /// "Topic"
    pub topic: &'static str,
    /// "Level"
    pub level: &'static str,
    /// "Questions"
    pub questions: &'static str,
    /// "Answered"
    pub answered_col: &'static str,
    /// "Correct"
    pub correct_col: &'static str,
    /// "Due"
    pub due_col: &'static str,
    /// "Total"
    pub total: &'static str,
    /// "Question {i} of {n}, from basic to deep"
    pub mock_step: &'static str,
    /// "Pick a topic for a mock interview."
    pub pick_topic: &'static str,
    /// "{n} new"
    pub new_cards: &'static str,
    /// Timeline: "Zoom in"
    pub tl_in: &'static str,
    /// Timeline: "Zoom out"
    pub tl_out: &'static str,
    /// Timeline: "Show all"
    pub tl_reset: &'static str,
    /// Timeline: how to move it
    pub tl_hint: &'static str,
    /// Timeline: the readout before anything is picked
    pub tl_pick: &'static str,
    /// Timeline: "{lane} · {state} · from {start} · for {length}"
    pub tl_readout: &'static str,
    /// Timeline: "{mark} on {lane} at {at}"
    pub tl_mark: &'static str,
}

static JS_EN: Js = Js {
    no_results: "No results",
    more_results: "Show more results",
    results: "{n} results",
    correct: "Correct",
    wrong: "Not quite",
    answer_is: "The answer:",
    score: "Score",
    answered: "answered",
    answer_first: "Pick or type an answer first.",
    copy: "Copy",
    copied: "Copied",
    card_of: "{i} of {n}",
    reveal: "Show the answer",
    knew: "I knew it",
    missed: "I didn't",
    session_done: "Done: {right} of {n} known.",
    no_cards: "No question matches these filters.",
    due_today: "{n} due today",
    nothing_due: "Nothing due today.",
    imported: "Imported progress for {n} questions.",
    import_failed: "This file is not gil-lab progress.",
    topic: "Topic",
    level: "Level",
    questions: "Questions",
    answered_col: "Answered",
    correct_col: "Correct",
    due_col: "Due",
    total: "Total",
    mock_step: "Question {i} of {n}, from basic to deep",
    pick_topic: "Pick a topic for a mock interview.",
    new_cards: "{n} new",
    tl_in: "Zoom in",
    tl_out: "Zoom out",
    tl_reset: "Show all",
    tl_hint: "Drag to pan; pinch, Ctrl + wheel or the buttons to zoom; hover or tap a bar to read it.",
    tl_pick: "Hover or tap a bar to read its thread, state, start and length.",
    tl_readout: "{lane} · {state} · from {start} · for {length}",
    tl_mark: "{mark} on {lane} at {at}",
};

static JS_KO: Js = Js {
    no_results: "결과가 없습니다",
    more_results: "결과 더 보기",
    results: "결과 {n}개",
    correct: "정답입니다",
    wrong: "아쉽네요",
    answer_is: "정답:",
    score: "점수",
    answered: "풀었음",
    answer_first: "먼저 답을 고르거나 입력하세요.",
    copy: "복사",
    copied: "복사했습니다",
    card_of: "{n}장 중 {i}",
    reveal: "정답 보기",
    knew: "알았다",
    missed: "몰랐다",
    session_done: "끝: {n}문제 중 {right}문제를 알았습니다.",
    no_cards: "조건에 맞는 문제가 없습니다.",
    due_today: "오늘 복습할 문제 {n}개",
    nothing_due: "오늘 복습할 문제가 없습니다.",
    imported: "문제 {n}개의 진행 상황을 가져왔습니다.",
    import_failed: "gil-lab 진행 상황 파일이 아닙니다.",
    topic: "주제",
    level: "난이도",
    questions: "문제",
    answered_col: "푼 문제",
    correct_col: "맞힌 문제",
    due_col: "복습",
    total: "합계",
    mock_step: "{n}문제 중 {i}번째, 기초에서 심화로",
    pick_topic: "모의 면접을 할 주제를 고르세요.",
    new_cards: "새 문제 {n}개",
    tl_in: "확대",
    tl_out: "축소",
    tl_reset: "전체 보기",
    tl_hint: "끌어서 이동하고, 두 손가락·Ctrl + 휠·버튼으로 확대한다. 막대에 마우스를 올리거나 누르면 내용이 보인다.",
    tl_pick: "막대에 마우스를 올리거나 누르면 스레드, 상태, 시작, 길이가 보인다.",
    tl_readout: "{lane} · {state} · {start}부터 · {length} 동안",
    tl_mark: "{lane}의 {mark}, {at}",
};

/// The script words of `lang`.
pub fn js(lang: Lang) -> &'static Js {
    match lang {
        Lang::En => &JS_EN,
        Lang::Ko => &JS_KO,
    }
}
