"""审核 pages: reviewers approve or return the submitted records of their department."""
