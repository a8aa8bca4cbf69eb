pub mod example_survey;
